"""The demo logins: one per role and cluster, all with the documented demo password.

    ensure_demo_users(create=True) -> list[DemoLogin]

- `admin`: platform admin (superuser);
- per demo cluster: `office-<slug>` (cluster office), `assoc-<slug>` (association staff, also a
  data steward in /admin/: `is_staff` and the "Data stewards" group),
  `firm-<slug>-1` (a leading firm), `firm-<slug>-2` (a member firm above designated size that
  shares its figures), `firm-<slug>-3` (a small member firm), `supplier-<slug>` (a matching
  supplier with an outsourcing order offered to it, where the demo has one);
- `bank-shiling`: officer of the chamber's partner bank.

The firms are picked by query (the first matching firm by id), so the users can be re-attached
after a cluster is reloaded: reloading deletes the old firms and Django sets the users' links to
NULL. With `create=False` only existing demo users are re-attached (`load-demo` does that, so it
never adds a known password to a database on its own).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from clusterbrain.accounts.models import Role, User
from clusterbrain.accounts.permissions import ensure_steward_group
from clusterbrain.demo.specs import ASSOCIATIONS, DEMO_PASSWORD, OFFICES, PARTNER_BANK
from clusterbrain.matching.demo import demo_supplier
from clusterbrain.registry.models import Cluster, Enterprise


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str  # accounts.Role value
    cluster: str  # slug, "" for none
    organisation: str  # the firm, association, office or bank


def _firm_for(cluster: Cluster, number: int) -> Enterprise | None:
    firms = Enterprise.objects.filter(cluster=cluster, in_cluster=True).order_by("pk")
    if number == 1:
        return firms.filter(is_leading=True).first() or firms.first()
    if number == 2:
        return (
            firms.filter(
                is_leading=False,
                above_designated_size=True,
                is_member=True,
                shares_with_association=True,
            ).first()
            or firms.filter(is_leading=False).first()
        )
    return (
        firms.filter(is_member=True, above_designated_size=False, is_leading=False)
        .exclude(legal_form=Enterprise.LegalForm.SOLE_PROPRIETOR)
        .first()
        or firms.filter(above_designated_size=False).first()
    )


def planned_logins() -> list[tuple[DemoLogin, dict[str, object]]]:
    """Every demo login with the field values its user should have, for the demo clusters in
    the database."""
    plan: list[tuple[DemoLogin, dict[str, object]]] = [
        (
            DemoLogin("admin", DEMO_PASSWORD, Role.ADMIN, "", "clusterbrain"),
            {
                "role": Role.ADMIN,
                "is_superuser": True,
                "is_staff": True,
                "cluster": None,
                "enterprise": None,
                "organisation": "clusterbrain",
            },
        )
    ]
    for cluster in Cluster.objects.filter(is_demo=True).order_by("slug"):
        slug = cluster.slug
        office = OFFICES.get(slug, (f"{cluster.name_zh}办公室", ""))[0]
        association = ASSOCIATIONS.get(slug, (f"{cluster.name_zh}协会", ""))[0]
        plan.append(
            (
                DemoLogin(f"office-{slug}", DEMO_PASSWORD, Role.OFFICE, slug, office),
                {
                    "role": Role.OFFICE,
                    "cluster": cluster,
                    "enterprise": None,
                    "organisation": office,
                },
            )
        )
        plan.append(
            (
                DemoLogin(f"assoc-{slug}", DEMO_PASSWORD, Role.ASSOCIATION, slug, association),
                {
                    "role": Role.ASSOCIATION,
                    "cluster": cluster,
                    "enterprise": None,
                    "organisation": association,
                    "is_staff": True,  # stewards the registry in /admin/
                },
            )
        )
        for number in (1, 2, 3):
            firm = _firm_for(cluster, number)
            if firm is None:
                continue
            plan.append(
                (
                    DemoLogin(
                        f"firm-{slug}-{number}", DEMO_PASSWORD, Role.ENTERPRISE, slug, firm.name_zh
                    ),
                    {
                        "role": Role.ENTERPRISE,
                        "cluster": cluster,
                        "enterprise": firm,
                        "organisation": firm.name_zh,
                    },
                )
            )
        supplier = demo_supplier(cluster)
        if supplier is not None:  # a matching supplier with an order offered to it
            plan.append(
                (
                    DemoLogin(
                        f"supplier-{slug}", DEMO_PASSWORD, Role.ENTERPRISE, slug, supplier.name_zh
                    ),
                    {
                        "role": Role.ENTERPRISE,
                        "cluster": cluster,
                        "enterprise": supplier,
                        "organisation": supplier.name_zh,
                    },
                )
            )
        if slug in PARTNER_BANK:
            bank = PARTNER_BANK[slug][0]
            plan.append(
                (
                    DemoLogin(f"bank-{slug}", DEMO_PASSWORD, Role.BANK, slug, bank),
                    {
                        "role": Role.BANK,
                        "cluster": cluster,
                        "enterprise": None,
                        "organisation": bank,
                    },
                )
            )
    return plan


def ensure_demo_users(*, create: bool = True) -> list[DemoLogin]:
    """Create or update the demo users (with `create`, also resetting their password to the
    demo password); without it, only re-attach the demo users that exist. Returns the logins
    that exist afterwards."""
    logins = []
    encoded = make_password(DEMO_PASSWORD) if create else ""
    with transaction.atomic():
        plan = planned_logins()
        existing = {
            u.username: u
            for u in User.objects.filter(username__in=[login.username for login, _values in plan])
        }
        stewards = None
        for login, values in plan:
            user = existing.get(login.username)
            if user is None and not create:
                continue
            if user is None:
                user = User(username=login.username)
            for name, value in values.items():
                setattr(user, name, value)
            if create:
                user.password = encoded
                user.is_active = True
            user.save()
            if login.role == Role.ASSOCIATION:
                stewards = stewards or ensure_steward_group()
                user.groups.add(stewards)
            logins.append(login)
        # The clusters are loaded before their users exist: the demo bank's officer is linked
        # to the bank here (finance.demo links it itself when the cluster is reloaded).
        from clusterbrain.finance.demo import link_demo_officers
        from clusterbrain.finance.models import PartnerBank

        for bank in PartnerBank.objects.filter(is_demo=True):
            link_demo_officers(bank)
    return logins
