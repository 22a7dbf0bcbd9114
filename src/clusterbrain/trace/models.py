"""Lot traceability (issue 5): EPCIS 2.0 events as captured, the index the standard queries
read, the lots they name, capture jobs, and the locations each firm captures at.

Confidential (DOMAIN.md): lot data. An event belongs to the firm whose location it happened
at (`Event.enterprise`); a lot to the firm that made it or last received it (`Lot.owner`).
`trace.permissions` and `trace.selectors` decide who sees what (decision 0011).

Events are immutable once captured (EPCIS has no update or delete: an error declaration is a
new event), so capture order (`Event.pk`) and `TraceStamp` are enough to keep the genealogy
cache in step (`selectors.lot_genealogy`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clusterbrain.registry.models import Cluster, Enterprise, Facility

URI_LENGTH = 300
EVENT_ID_LENGTH = 255


class Location(models.Model):
    """A place events happen at (bizLocation) or are read at (readPoint): an SGLN URN
    (`urn:epc:id:sgln:…`) or a GS1 Digital Link URI (`https://id.gs1.org/414/…`), or any URI
    the firm uses. `key` is its Digital Link form, so either spelling of an SGLN finds it."""

    class Kind(models.TextChoices):
        FARM = "farm", _("farm or household")
        STATION = "station", _("purchase station")
        FACTORY = "factory", _("factory or mill")
        WAREHOUSE = "warehouse", _("warehouse")
        SHOP = "shop", _("shop or market")
        READ_POINT = "read_point", _("read point")
        OTHER = "other", _("other")

    uri = models.CharField(_("location URI"), max_length=URI_LENGTH)
    key = models.CharField(_("matching key"), max_length=URI_LENGTH, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="trace_locations",
        verbose_name=_("enterprise"),
    )
    facility = models.ForeignKey(
        Facility,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trace_locations",
        verbose_name=_("facility"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.FACTORY)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        ordering = ["enterprise", "name"]
        verbose_name = _("trace location")
        verbose_name_plural = _("trace locations")

    def __str__(self) -> str:
        return f"{self.name} ({self.uri})"

    def save(self, *args: object, **kwargs: object) -> None:
        from clusterbrain.engines.epcis.normalise import digital_link

        self.key = digital_link(self.uri.strip())
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class CaptureJob(models.Model):
    """One `POST /epcis/capture` (or `/epcis/events`): the GS1 binding's capture job. Capture
    runs inside the request, so a job is finished when the client first sees it."""

    class Behaviour(models.TextChoices):
        ROLLBACK = "rollback", _("rollback")
        PROCEED = "proceed", _("proceed")

    capture_id = models.CharField(_("capture ID"), max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="capture_jobs",
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.SET_NULL, null=True, blank=True, related_name="capture_jobs"
    )
    created_at = models.DateTimeField(_("created"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    running = models.BooleanField(default=False)
    success = models.BooleanField(default=False)
    error_behaviour = models.CharField(
        max_length=8, choices=Behaviour.choices, default=Behaviour.ROLLBACK
    )
    events_received = models.PositiveIntegerField(default=0)
    events_stored = models.PositiveIntegerField(default=0)
    events_duplicate = models.PositiveIntegerField(
        default=0, help_text=_("Sent again with the same eventID and content: not stored twice.")
    )
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("capture job")
        verbose_name_plural = _("capture jobs")

    def __str__(self) -> str:
        return self.capture_id


class Event(models.Model):
    """A captured EPCIS event: its canonical JSON (`engines.epcis.normalise`, recordTime left
    out: the repository sets it) and the columns the standard queries filter on."""

    event_id = models.CharField(_("eventID"), max_length=EVENT_ID_LENGTH, unique=True)
    content_hash = models.CharField(max_length=64)
    event_type = models.CharField(_("event type"), max_length=24)
    event_time = models.DateTimeField(_("event time"), db_index=True)
    record_time = models.DateTimeField(_("record time"), db_index=True)
    action = models.CharField(_("action"), max_length=8, blank=True)
    biz_step = models.CharField(_("business step"), max_length=URI_LENGTH, blank=True)
    disposition = models.CharField(_("disposition"), max_length=URI_LENGTH, blank=True)
    # Digital Link form of the ids (`Location.key`), so SGLN URN and Digital Link both match
    read_point = models.CharField(_("read point"), max_length=URI_LENGTH, blank=True)
    biz_location = models.CharField(_("business location"), max_length=URI_LENGTH, blank=True)
    # Every index is paid on every captured event: the foreign keys below have none of their
    # own (the composite indexes lead with enterprise and cluster; nothing looks events up by
    # location or capture job).
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        db_index=False,
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trace_events",
        db_index=False,
    )
    cluster = models.ForeignKey(
        Cluster,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trace_events",
        db_index=False,
    )
    capture_job = models.ForeignKey(
        CaptureJob,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        db_index=False,
    )
    document = models.TextField(_("canonical event"))

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["biz_step"], name="trace_event_bizstep"),
            models.Index(fields=["disposition"], name="trace_event_disposition"),
            models.Index(fields=["biz_location"], name="trace_event_bizloc"),
            models.Index(fields=["read_point"], name="trace_event_readpoint"),
            models.Index(fields=["enterprise", "event_time"], name="trace_event_firm_time"),
            models.Index(fields=["cluster", "event_time"], name="trace_event_cluster_time"),
        ]
        verbose_name = _("EPCIS event")
        verbose_name_plural = _("EPCIS events")

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class EventKey(models.Model):
    """What the MATCH_* and EQ_bizTransaction/source/destination parameters look for: one row
    per identifier an event names, with its role (and quantity for EPC classes).

    Keyed by (event, position): the identifier's place among the event's identifiers, so the
    rows of an event are the table's own order (cascade, the shipment join) and the one
    secondary index, (value, role), carries the event id the MATCH_* look-ups want. On SQLite
    the table is WITHOUT ROWID (migration 0004): the key is the table, one B-tree insert less
    per identifier than a rowid table with an id and an event index (decision 0011). Django
    remakes SQLite tables as rowid tables when a later migration alters a field: such a
    migration should keep WITHOUT ROWID as 0004 does.
    """

    class Role(models.TextChoices):
        EPC = "epc"
        PARENT = "parentID"
        CHILD = "childEPC"
        INPUT = "inputEPC"
        OUTPUT = "outputEPC"
        EPC_CLASS = "epcClass"
        CHILD_CLASS = "childEPCClass"
        INPUT_CLASS = "inputEPCClass"
        OUTPUT_CLASS = "outputEPCClass"
        BIZ_TRANSACTION = "bizTransaction"
        SOURCE = "source"
        DESTINATION = "destination"

    pk = models.CompositePrimaryKey("event_id", "position")
    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        related_name="keys",
        db_index=False,  # the primary key leads with it
    )
    position = models.PositiveIntegerField(default=0)
    role = models.CharField(max_length=16, choices=Role.choices)
    value = models.CharField(max_length=URI_LENGTH)
    qualifier = models.CharField(max_length=URI_LENGTH, blank=True)  # bizTransaction/source type
    quantity = models.FloatField(null=True, blank=True)
    uom = models.CharField(max_length=8, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["value", "role"], name="trace_eventkey_value_role"),
        ]
        verbose_name = _("event identifier")
        verbose_name_plural = _("event identifiers")

    def __str__(self) -> str:
        return f"{self.role} {self.value}"


class Lot(models.Model):
    """A lot (an EPC class with a lot number, measured in its uom) or a serialised item (an
    instance EPC, one piece) as the events name it, with the stock figures capture checks
    against (declared, produced, consumed) and its ILMD attributes."""

    key = models.CharField(_("lot or EPC"), max_length=URI_LENGTH, unique=True)
    # no index: lot search matches product classes by substring (icontains), which no B-tree
    # index serves, and nothing looks a class up exactly; every index is paid per captured lot
    material = models.CharField(_("product class"), max_length=URI_LENGTH)
    uom = models.CharField(_("unit"), max_length=8, blank=True)
    declared = models.FloatField(_("declared quantity"), null=True, blank=True)
    produced = models.FloatField(_("produced quantity"), default=0)
    consumed = models.FloatField(_("consumed quantity"), default=0)
    owner = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # (owner, first_seen) below
        related_name="lots",
        verbose_name=_("owner"),
        help_text=_("The firm that made the lot, or last received it."),
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lots",
        db_index=False,
    )
    cluster = models.ForeignKey(
        Cluster,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lots",
        db_index=False,  # (cluster, first_seen) below
    )
    first_seen = models.DateTimeField(_("first seen"), db_index=True)
    made_by = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="made_lots",
        db_index=False,
    )
    attributes = models.JSONField(_("attributes (ILMD)"), default=dict, blank=True)

    class Meta:
        ordering = ["-first_seen", "key"]
        indexes = [
            models.Index(fields=["owner", "first_seen"], name="trace_lot_owner_seen"),
            models.Index(fields=["cluster", "first_seen"], name="trace_lot_cluster_seen"),
        ]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")

    def __str__(self) -> str:
        return self.key

    @property
    def quantity(self) -> float | None:
        """What the lot holds: its declared quantity, else what events produced of it."""
        if self.declared is not None:
            return self.declared
        return self.produced or None


class TraceStamp(models.Model):
    """How many events have been captured: the genealogy cache of every process compares it
    with what it has read (one row, bumped in the capture transaction)."""

    events = models.BigIntegerField(default=0)
    last_event = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("capture counter")

    def __str__(self) -> str:
        return f"{self.events} events"
