"""Bank credit on the `world` of tests/conftest.py, written directly (the demo's way) so every
test starts from the same known partners, officers and platform data:

- `bank` (伙伴银行 / Partner Bank) partners with cluster alpha; its officer is the world's bank
  user; `unlinked` is a bank-role user who names the bank as organisation but is not linked;
- `other_bank` partners with alpha and beta; its officer is `bank-b`;
- `own` (the world's enterprise user's firm) has revenue for 2022-2024, three outsourcing
  assignments as a supplier (on time, late, declined) and a certificate; `sharing` has its own
  user, `sharing-user`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import factories
from clusterbrain.accounts.models import Role
from clusterbrain.finance.models import BankOfficer, PartnerBank

TODAY = datetime.date(2026, 3, 2)


def build_finance(world: SimpleNamespace) -> SimpleNamespace:
    from clusterbrain.matching.models import Assignment, OutsourcingOrder

    bank = PartnerBank.objects.create(name_zh="伙伴银行", name_en="Partner Bank")
    bank.clusters.add(world.a)
    other_bank = PartnerBank.objects.create(name_zh="他行", name_en="Other Bank")
    other_bank.clusters.add(world.a, world.b)
    BankOfficer.objects.create(user=world.users.bank, bank=bank)
    officer_b = factories.user(Role.BANK, username="bank-b", organisation="他行")
    BankOfficer.objects.create(user=officer_b, bank=other_bank)
    unlinked = factories.user(Role.BANK, username="bank-unlinked", organisation="伙伴银行")
    sharing_user = factories.user(
        Role.ENTERPRISE, enterprise=world.sharing, username="sharing-user"
    )
    own = world.own
    factories.year(own, 2022, revenue=20_000_000, output_value=18_000_000, employees=100)
    factories.year(own, 2023, revenue=25_000_000, output_value=21_000_000, employees=110)
    factories.certification(
        own,
        "iso9001",
        valid_from=datetime.date(2024, 1, 1),
        valid_until=datetime.date(2027, 1, 1),
        issuer="CQC",
        number="ISO-1",
    )
    order = OutsourcingOrder.objects.create(
        cluster=world.a,
        buyer=world.leading,
        link=factories.link(world.a, "cutting"),
        product_category="bags",
        quantity=300,
        unit="pieces",
        earliest_start=datetime.date(2024, 3, 1),
        due_date=datetime.date(2024, 6, 1),
        target_unit_price=Decimal("13.00"),
    )
    for on_time, status, delivered in (
        (True, Assignment.Status.COMPLETED, datetime.date(2024, 5, 30)),
        (False, Assignment.Status.DELIVERED, datetime.date(2024, 6, 10)),
        (None, Assignment.Status.DECLINED, None),
    ):
        Assignment.objects.create(
            order=order,
            supplier=own,
            quantity=100,
            unit_price=Decimal("12.50"),
            status=status,
            delivered_on=delivered,
            delivered_quantity=100 if delivered else None,
            on_time=on_time,
            quality_passed=True if status == Assignment.Status.COMPLETED else None,
        )
    return SimpleNamespace(
        world=world,
        bank=bank,
        other_bank=other_bank,
        officer=world.users.bank,
        officer_b=officer_b,
        unlinked=unlinked,
        firm_user=world.users.enterprise,
        sharing_user=sharing_user,
    )
