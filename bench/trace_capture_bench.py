"""EPCIS capture throughput on SQLite through our capture service, validation included, beside
a baseline on the same events: each event validated by jsonschema alone, then saved with the
ORM in its own transaction (event row and identifier rows), the obvious first implementation.

    .venv/bin/python -m bench.trace_capture_bench [--events 200000] [--batch 5000]
        [--baseline-events 5000] [--out docs/benchmarks.md]

The events are a seeded silk chain (stations declare cocoon lots, mills reel several cocoon
lots into raw silk, weavers weave silk lots into fabric) at registered locations of a few
firms, so capture does everything it does in production: GS1 schema and CBV checks, location
lookup, eventID idempotency, overconsumption against stored stock, lots and their owners.
The baseline runs on the first `--baseline-events` events (it is slow) and its rate is
events per second over those; both runs start from an empty trace schema.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
KEY = "trace_capture_bench"


def chain_events(n: int, seed: int = 7, tag: int = 0) -> list[dict[str, Any]]:
    """`n` events of a silk chain: about half declarations, half transformations. `tag` > 0
    gives another chain's eventIDs and lot numbers (one per concurrent client)."""
    rng = random.Random(seed)
    t0 = datetime(2026, 5, 1, 6, 0, tzinfo=UTC)
    events: list[dict[str, Any]] = []
    cocoons: list[tuple[str, float]] = []  # (lot, kg left)
    silk: list[tuple[str, float]] = []
    i = 0
    lot_tag = f"T{tag}" if tag else ""

    def base(kind: str, site: str, minutes: int) -> dict[str, Any]:
        return {
            "type": kind,
            "eventID": f"urn:uuid:00000000-0000-4000-{0x8000 + tag:04x}-{len(events):012d}",
            "eventTime": (t0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z"),
            "eventTimeZoneOffset": "+08:00",
            "bizStep": "commissioning",
            "readPoint": {"id": site},
            "bizLocation": {"id": site},
        }

    while len(events) < n:
        i += 1
        step = len(events)
        if len(cocoons) < 8 or rng.random() < 0.55:
            station = f"urn:epc:id:sgln:6901234.{rng.randrange(1, 11):05d}.0"
            lot = f"urn:epc:class:lgtin:6901234.012345.{lot_tag}C{i}"
            kg = float(rng.randrange(20, 200))
            e = base("ObjectEvent", station, step)
            e.update(
                action="ADD",
                disposition="active",
                epcList=[],
                quantityList=[{"epcClass": lot, "quantity": kg, "uom": "KGM"}],
                ilmd={"cbvmda:countryOfOrigin": "CN"},
            )
            cocoons.append((lot, kg))
        elif len(silk) < 4 or rng.random() < 0.8:
            taken = [cocoons.pop(rng.randrange(len(cocoons))) for _ in range(min(6, len(cocoons)))]
            mill = f"urn:epc:id:sgln:6902222.{rng.randrange(1, 4):05d}.0"
            out = f"urn:epc:class:lgtin:6902222.012346.{lot_tag}S{i}"
            kg = round(sum(q for _, q in taken) * 0.12, 3)
            e = base("TransformationEvent", mill, step)
            e.update(
                inputQuantityList=[{"epcClass": k, "quantity": q, "uom": "KGM"} for k, q in taken],
                outputQuantityList=[{"epcClass": out, "quantity": kg, "uom": "KGM"}],
            )
            silk.append((out, kg))
        else:
            taken = [silk.pop(rng.randrange(len(silk))) for _ in range(min(3, len(silk)))]
            weaver = f"urn:epc:id:sgln:6903333.{rng.randrange(1, 4):05d}.0"
            out = f"urn:epc:class:lgtin:6903333.012347.{lot_tag}F{i}"
            e = base("TransformationEvent", weaver, step)
            e.update(
                inputQuantityList=[{"epcClass": k, "quantity": q, "uom": "KGM"} for k, q in taken],
                outputQuantityList=[
                    {
                        "epcClass": out,
                        "quantity": round(sum(q for _, q in taken) * 12.5, 2),
                        "uom": "MTK",
                    }
                ],
            )
        events.append(e)
    return events


def register_locations() -> None:
    from clusterbrain.chains.models import ChainTemplate
    from clusterbrain.engines.resolution.uscc import make_uscc
    from clusterbrain.registry.models import Cluster, Enterprise
    from clusterbrain.trace.models import Location

    template = ChainTemplate.objects.create(
        slug="bench-silk", name_zh="丝绸", name_en="Silk", industry="silk"
    )
    cluster = Cluster.objects.create(
        slug="bench-hechi", name_zh="河池", name_en="Hechi", chain_template=template
    )
    firms = {
        prefix: Enterprise.objects.create(
            cluster=cluster,
            uscc=make_uscc("9", "1", "451203", f"{n:08d}X"),
            name_zh=f"企业{n}",
            name_en=f"Firm {n}",
        )
        for n, prefix in enumerate(("6901234", "6902222", "6903333"), start=1)
    }
    for prefix, count in (("6901234", 10), ("6902222", 3), ("6903333", 3)):
        for ref in range(1, count + 1):
            Location.objects.create(
                uri=f"urn:epc:id:sgln:{prefix}.{ref:05d}.0",
                name=f"{prefix}-{ref}",
                enterprise=firms[prefix],
            )


def empty_trace() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "trace_eventkey",
            "trace_lot",
            "trace_event",
            "trace_capturejob",
            "trace_tracestamp",
        ):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608


def run_ours(events: list[dict[str, Any]], batch: int) -> tuple[float, float]:
    """(wall seconds, process CPU seconds): on a shared machine the second says what the code
    costs, the first what the machine gave it."""
    from clusterbrain.trace import services

    start, cpu = time.perf_counter(), time.process_time()
    outcomes = services.capture_events(None, events, batch_size=batch)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    problems = [p for o in outcomes for p in o.problems]
    stored = sum(o.stored for o in outcomes)
    if problems or stored != len(events):
        raise SystemExit(f"capture refused events: {problems[:3]} (stored {stored})")
    return seconds, cpu


def _client(
    db: str, data: str, tag: int, n: int, batch: int, race: int, barrier: Any, results: Any
) -> None:
    """One capture client (a server worker process) posting its own chain's batches into the
    shared SQLite file, then, with every other client at the same moment, the same `race`
    new events (each must be stored once: the others see duplicates)."""
    sys.path.insert(0, str(REPO))
    out: dict[str, Any] = {"tag": tag}
    try:
        from bench.platform_bench import configure_django

        configure_django(Path(db), Path(data))
        from clusterbrain.trace import services

        events = chain_events(n, seed=7 + tag, tag=tag)
        shared = chain_events(race, seed=99, tag=99)
        barrier.wait()
        out["start"], cpu = time.time(), time.process_time()
        outcomes = services.capture_events(None, events, batch_size=batch)
        out["end"], out["cpu"] = time.time(), time.process_time() - cpu
        out["stored"] = sum(o.stored for o in outcomes)
        out["problems"] = sum(len(o.problems) for o in outcomes)
        barrier.wait()
        raced = services.capture_events(None, shared, batch_size=batch)
        out["race_stored"] = sum(o.stored for o in raced)
        out["race_duplicates"] = sum(o.duplicates for o in raced)
        out["race_problems"] = sum(len(o.problems) for o in raced)
    except Exception as exc:  # noqa: BLE001 - reported by the parent as a failed client
        out["error"] = f"{type(exc).__name__}: {exc}"
        barrier.abort()
    results.put(out)


def run_concurrent(db: Path, data: Path, n: int, batch: int, clients: int, race: int) -> dict:
    """`clients` processes capturing `n` events in all (their own chains) into one SQLite file
    at once; aggregate events/s over the wall time from the first start to the last end, and
    over the CPU time they used together."""
    import multiprocessing

    from django.db import connection

    connection.close()
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(clients), ctx.Queue()
    each = n // clients
    procs = [
        ctx.Process(
            target=_client,
            args=(str(db), str(data), tag, each, batch, race, barrier, results),
        )
        for tag in range(1, clients + 1)
    ]
    for proc in procs:
        proc.start()
    outs = [results.get() for _ in procs]
    for proc in procs:
        proc.join()
    errors = [o["error"] for o in outs if "error" in o]
    if errors:
        raise SystemExit(f"a concurrent client failed: {errors}")
    wall = max(o["end"] for o in outs) - min(o["start"] for o in outs)
    return {
        "events": each * clients,
        "wall": wall,
        "cpu": sum(o["cpu"] for o in outs),
        "stored": sum(o["stored"] for o in outs),
        "problems": sum(o["problems"] for o in outs),
        "race_stored": sum(o["race_stored"] for o in outs),
        "race_duplicates": sum(o["race_duplicates"] for o in outs),
        "race_problems": sum(o["race_problems"] for o in outs),
    }


def run_baseline(events: list[dict[str, Any]]) -> float:
    """jsonschema on each event's document, then one transaction per event with the ORM."""
    import hashlib

    from django.db import transaction
    from django.utils import timezone

    from clusterbrain.engines.epcis.normalise import canonical_json, normalise_event
    from clusterbrain.engines.epcis.validate import validate
    from clusterbrain.trace.models import Event, EventKey
    from clusterbrain.trace.services import _keys_of

    start = time.perf_counter()
    for e in events:
        doc = {
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2026-05-01T00:00:00Z",
            "epcisBody": {"eventList": [e]},
        }
        problems = validate(doc, fast_schema=False)
        if problems:
            raise SystemExit(f"baseline refused {e['eventID']}: {problems[0]}")
        event = normalise_event(e)
        document = canonical_json(event)
        with transaction.atomic():
            row = Event.objects.create(
                event_id=event["eventID"],
                content_hash=hashlib.sha256(document.encode()).hexdigest(),
                event_type=event["type"],
                event_time=datetime.fromisoformat(event["eventTime"]),
                record_time=timezone.now(),
                action=event.get("action", ""),
                biz_step=event.get("bizStep", ""),
                biz_location=event["bizLocation"]["id"],
                read_point=event["readPoint"]["id"],
                document=document,
            )
            for at, (role, value, qualifier, quantity, uom) in enumerate(_keys_of(event)):
                EventKey.objects.create(
                    event=row,
                    position=at,
                    role=role,
                    value=value,
                    qualifier=qualifier,
                    quantity=quantity,
                    uom=uom,
                )
    return time.perf_counter() - start


def validation_rates(events: list[dict[str, Any]], batch: int) -> tuple[float, float]:
    """Events per second of document validation alone: ours (jsonschema-rs yes/no, then our
    checks) and jsonschema alone, on the same batch."""
    from clusterbrain.engines.epcis.validate import validate

    doc = {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-05-01T00:00:00Z",
        "epcisBody": {"eventList": events[:batch]},
    }
    n = len(doc["epcisBody"]["eventList"])
    start = time.perf_counter()
    assert not validate(doc)
    fast = n / (time.perf_counter() - start)
    start = time.perf_counter()
    assert not validate(doc, fast_schema=False)
    slow = n / (time.perf_counter() - start)
    return fast, slow


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.trace_capture_bench", description=__doc__
    )
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--baseline-events", type=int, default=5_000)
    parser.add_argument(
        "--clients",
        type=int,
        default=1,
        help="also capture --events in all from this many concurrent processes (one SQLite file)",
    )
    parser.add_argument(
        "--race-events",
        type=int,
        default=2_000,
        help="events every concurrent client sends at the same moment (stored once)",
    )
    parser.add_argument("--out", type=Path, default=None, help="docs/benchmarks.md to update")
    args = parser.parse_args(argv)
    if min(args.events, args.batch, args.baseline_events, args.clients, args.race_events) < 1:
        parser.error("--events, --batch, --baseline-events, --clients, --race-events: positive")

    sys.path.insert(0, str(REPO))
    from bench.platform_bench import configure_django, machine
    from bench.report import write_section

    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="trace-bench-") as tmp:
        configure_django(Path(tmp) / "bench.sqlite3", Path(tmp) / "data")
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        register_locations()
        events = chain_events(args.events)
        n_base = min(args.baseline_events, len(events))
        fast_v, slow_v = validation_rates(events, min(args.batch, len(events)))
        base_s = run_baseline(events[:n_base])
        empty_trace()
        ours_s, ours_cpu = run_ours(events, args.batch)
        from clusterbrain.trace.models import Event, Lot

        stored, lots = Event.objects.count(), Lot.objects.count()
        load_after = os.getloadavg()
        together: dict[str, Any] | None = None
        if args.clients > 1:
            empty_trace()
            together = run_concurrent(
                Path(tmp) / "bench.sqlite3",
                Path(tmp) / "data",
                args.events,
                args.batch,
                args.clients,
                args.race_events,
            )
            together["in_table"] = Event.objects.count()
            together["load_after"] = os.getloadavg()
    ours = len(events) / ours_s
    base = n_base / base_s
    meta = machine()
    lines = [
        f"captured {len(events):,} events ({lots:,} lots) in {ours_s:.1f} s: "
        f"{ours:,.0f} events/s (batches of {args.batch:,}); CPU {ours_cpu:.1f} s: "
        f"{len(events) / ours_cpu:,.0f} events/s",
        f"load before {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, after "
        f"{load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}",
        f"baseline (jsonschema per event, ORM save per transaction) on {n_base:,} events: "
        f"{base:,.0f} events/s",
        f"ratio ours / baseline: {ours / base:.1f}x",
        f"validation alone, batch of {min(args.batch, len(events)):,}: {fast_v:,.0f} events/s "
        f"(jsonschema-rs check + own checks) vs {slow_v:,.0f} (jsonschema): "
        f"{fast_v / slow_v:.1f}x",
    ]
    concurrent_text = ""
    if together is not None:
        t = together
        expected = t["events"] + args.race_events
        ok = (
            t["stored"] == t["events"]
            and not t["problems"]
            and t["race_stored"] == args.race_events
            and t["race_duplicates"] == args.race_events * (args.clients - 1)
            and not t["race_problems"]
            and t["in_table"] == expected
        )
        la = t["load_after"]
        concurrent_text = (
            f"{args.clients} concurrent clients (processes, one SQLite file in WAL mode, each "
            f"its own chain) captured {t['events']:,} events in {t['wall']:.1f} s wall: "
            f"{t['events'] / t['wall']:,.0f} events/s together; CPU {t['cpu']:.1f} s summed: "
            f"{t['events'] / t['cpu']:,.0f} events/s; load after {la[0]:.2f} {la[1]:.2f} "
            f"{la[2]:.2f}. Then all sent the same {args.race_events:,} new events at once: "
            f"stored {t['race_stored']:,}, duplicates {t['race_duplicates']:,}, problems "
            f"{t['race_problems']}; {t['in_table']:,} events in the table (expected "
            f"{expected:,}): {'correct' if ok else 'WRONG'}"
        )
        lines.append(concurrent_text)
    print("\n".join(lines))
    if stored != len(events):
        print(f"stored {stored} of {len(events)}", file=sys.stderr)
        return 1
    if together is not None and "WRONG" in concurrent_text:
        print("concurrent capture lost, doubled or refused events", file=sys.stderr)
        return 1
    if args.out is not None:
        verdict = (
            "met"
            if ours >= 20_000
            else f"**not met** (wall {ours / 20_000:.0%} of it; CPU time "
            f"{len(events) / ours_cpu / 20_000:.0%})"
        )
        text = "\n".join(
            [
                "## EPCIS capture throughput (trace_capture_bench)",
                "",
                f"Run {datetime.now(UTC):%a %b %d %H:%M:%S UTC %Y} at commit `{meta['commit']}`. "
                f"Machine: {meta['nproc']} CPUs (`nproc`), {meta['cpu']}, {meta['ram']} RAM, "
                f"{meta['os']}; Python {meta['python']}, SQLite {meta['sqlite']}. Load average "
                f"(1, 5, 15 min) before the run: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}, "
                f"after: {load_after[0]:.2f}, {load_after[1]:.2f}, {load_after[2]:.2f} "
                "(a shared machine: other engineers' jobs ran beside it).",
                "",
                "Our capture service (`trace.services.capture_events`, everything a `POST "
                "/epcis/capture` does after reading the body: GS1 schema and CBV checks, "
                "locations, eventID idempotency, overconsumption against stored stock, events, "
                "identifier index, lots and owners) against a baseline on the same seeded silk "
                "chain: jsonschema on each event's document, then one ORM transaction per event "
                "(event and identifier rows only: no lots, no checks beyond the schema).",
                "",
                "| measure | ours | baseline | ratio |",
                "| --- | --- | --- | --- |",
                f"| capture, events/s | {ours:,.0f} ({len(events):,} events, batches of "
                f"{args.batch:,}) | {base:,.0f} ({n_base:,} events) | {ours / base:.1f}x |",
                f"| capture in process CPU time, events/s | {len(events) / ours_cpu:,.0f} "
                f"({ours_cpu:.1f} s) | | |",
                f"| validation alone, events/s | {fast_v:,.0f} (jsonschema-rs yes/no, own checks) "
                f"| {slow_v:,.0f} (jsonschema) | {fast_v / slow_v:.1f}x |",
                *(
                    [
                        f"| capture by {args.clients} concurrent clients, events/s wall "
                        f"(together) | {together['events'] / together['wall']:,.0f} "
                        f"({together['events']:,} events; CPU summed: "
                        f"{together['events'] / together['cpu']:,.0f}/s) | | |",
                    ]
                    if together is not None
                    else []
                ),
                "",
                *([concurrent_text, ""] if concurrent_text else []),
                f"Target: ≥ 20,000 events/s: {verdict}. Performance is reported here, never "
                "asserted in tests.",
            ]
        )
        write_section(args.out, KEY, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
