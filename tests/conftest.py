"""Shared fixtures. Test modules import the data builders as `import factories`."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import factories  # noqa: E402
from epcis_schema import skip_capturing  # noqa: E402


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_capturing(items)  # without GS1's EPCIS schema, say so instead of failing


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded evidence files go to a temporary directory, never into the data directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db):
    """Two leather clusters with firms and figures, and one user of every role.

    In cluster `a`: `own` (the enterprise user's firm, a member that does not share figures),
    `sharing` (a member sharing with the association), `other` (not a member), `leading` (a
    leading firm buying from `own` and from `outsider`). `outsider` lives in cluster `b`.
    """
    from clusterbrain.accounts.models import Role

    a = factories.cluster(slug="alpha", name_zh="甲集群", name_en="Alpha cluster")
    b = factories.cluster(slug="beta", name_zh="乙集群", name_en="Beta cluster")
    own = factories.enterprise(a, name_zh="自家皮革", name_en="Own Leather", is_member=True)
    sharing = factories.enterprise(
        a,
        name_zh="共享皮革",
        name_en="Sharing Leather",
        is_member=True,
        shares_with_association=True,
    )
    other = factories.enterprise(a, name_zh="他家皮具", name_en="Other Goods")
    leading = factories.enterprise(a, name_zh="龙头品牌", name_en="Lead Brand", is_leading=True)
    outsider = factories.enterprise(b, name_zh="外地鞣革", name_en="Outside Tannery")
    for firm in (own, sharing, other, leading, outsider):
        factories.year(firm, 2024, revenue=30_000_000, output_value=25_000_000, employees=120)
        factories.role(firm, "tanning", capacity=1000, output=800)
    factories.relation(leading, own, "tanning", 2024, 600_000)
    factories.relation(leading, sharing, "tanning", 2024, 200_000)
    factories.relation(leading, outsider, "hides", 2024, 200_000)

    users = SimpleNamespace(
        enterprise=factories.user(Role.ENTERPRISE, enterprise=own, username="own-user"),
        association=factories.user(Role.ASSOCIATION, cluster=a, username="assoc-a"),
        office=factories.user(Role.OFFICE, cluster=a, username="office-a"),
        office_b=factories.user(Role.OFFICE, cluster=b, username="office-b"),
        bank=factories.user(Role.BANK, organisation="Partner Bank", username="bank"),
        admin=factories.user(Role.ADMIN, username="admin"),
    )
    return SimpleNamespace(
        a=a,
        b=b,
        own=own,
        sharing=sharing,
        other=other,
        leading=leading,
        outsider=outsider,
        users=users,
    )


@pytest.fixture
def client_for(client):
    """`client_for(user)`: the test client logged in as `user` (None: anonymous)."""
    from django.test import Client

    def make(user=None, **kwargs):
        c = Client(**kwargs) if kwargs else Client()
        if user is not None:
            c.force_login(user)
        return c

    return make
