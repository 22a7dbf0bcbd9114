"""The firm's own market pages over HTTP with the real database: products and exhibition leads
(list and add, bad input named by field with nothing saved) and the import history with taking
an import back; every page hidden from other firms and the association (404), writes refused
to the cluster office (403)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clusterbrain.market import services
from clusterbrain.market.models import ExhibitionLead, Product, SalesImport, SalesRecord

CSV = (
    "date,channel,category,quantity,value\n"
    "2024-03-04,ecommerce,bag,1,20\n2024-03-05,直播,bag,2,40\n"
)


def test_a_firm_adds_a_product_in_the_sales_spelling(world, client_for):
    client = client_for(world.users.enterprise)
    url = f"/firms/{world.own.pk}/products/"
    data = {
        "name": "Tote 42",
        "category": "Hand Bag",
        "material": "Cowhide",
        "style_tags": "Minimalist，Classic",
        "price_band": "mid",
        "sku": "T-42",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    product = Product.objects.get(enterprise=world.own)
    assert (product.category, product.material) == ("hand_bag", "cowhide")
    assert product.style_tags == ["minimalist", "classic"]
    page = client.get(url).content.decode()
    assert 'id="products-table"' in page and "Tote 42" in page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"category": "  "}, "category"),
        ({"price_band": "cheap"}, "price_band"),
        ({"sku": "T-1"}, "sku"),  # already the firm's
    ],
)
def test_a_bad_product_is_named_by_field_and_nothing_is_saved(world, client_for, change, field):
    Product.objects.create(enterprise=world.own, name="Old", category="bag", sku="T-1")
    client = client_for(world.users.enterprise)
    data = {"name": "New", "category": "bag", "price_band": "", "sku": "", **change}
    response = client.post(f"/firms/{world.own.pk}/products/", data)
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert Product.objects.count() == 1


def test_a_duplicate_sku_is_refused_by_the_service_too(world):
    services.add_product(
        world.users.enterprise, world.own, {"name": "A", "category": "bag", "sku": "X"}
    )
    with pytest.raises(services.InvalidInput) as refused:
        services.add_product(
            world.users.enterprise, world.own, {"name": "B", "category": "bag", "sku": "X"}
        )
    assert [e.loc for e in refused.value.errors] == [("sku",)]


def test_a_firm_adds_a_lead_and_a_bad_one_is_refused(world, client_for):
    client = client_for(world.users.enterprise)
    url = f"/firms/{world.own.pk}/leads/"
    good = {
        "exhibition": "Canton Fair",
        "date": "2025-10-16",
        "buyer_country": "Kenya",
        "category": "handbag",
        "estimated_value": "50000",
        "status": "contacted",
    }
    assert client.post(url, good).status_code == 302
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    refused = client.post(url, {**good, "date": future})
    assert refused.status_code == 422 and "date" in refused.context["form"].errors
    refused = client.post(url, {**good, "estimated_value": "-5"})
    assert refused.status_code == 422 and "estimated_value" in refused.context["form"].errors
    assert ExhibitionLead.objects.count() == 1
    page = client.get(url).content.decode()
    assert 'id="leads-table"' in page and "Canton Fair" in page


@pytest.mark.parametrize("who", ["other_firm", "association", "visitor"])
def test_the_pages_are_hidden_from_others(world, client_for, who):
    import factories
    from clusterbrain.accounts.models import Role

    user = {
        "other_firm": lambda: factories.user(
            Role.ENTERPRISE, enterprise=world.sharing, username="sharing-user-x"
        ),
        "association": lambda: world.users.association,
        "visitor": lambda: None,
    }[who]()
    client = client_for(user)
    for path in ("products/", "leads/", "sales/imports/"):
        response = client.get(f"/firms/{world.own.pk}/{path}")
        assert response.status_code == 404, (path, response)  # as for a firm not there
    response = client.post(f"/firms/{world.own.pk}/products/", {"name": "Spy", "category": "bag"})
    assert response.status_code in (302, 404) and not Product.objects.exists()


def test_the_office_sees_but_cannot_add(world, client_for):
    client = client_for(world.users.office)
    page = client.get(f"/firms/{world.own.pk}/products/")
    assert page.status_code == 200 and 'id="product-form"' not in page.content.decode()
    response = client.post(f"/firms/{world.own.pk}/products/", {"name": "X", "category": "bag"})
    assert response.status_code == 403 and not Product.objects.exists()


def _import(client, firm, text=CSV):
    upload = SimpleUploadedFile("jd.csv", text.encode(), content_type="text/csv")
    response = client.post(f"/api/v1/enterprises/{firm.pk}/sales/import", {"file": upload})
    assert response.status_code == 201, response.content
    return SalesImport.objects.latest("pk")


def test_an_import_is_taken_back_from_the_history_page(world, client_for):
    client = client_for(world.users.enterprise)
    first = _import(client, world.own)
    second = _import(client, world.own, CSV.replace("2024-03-04", "2024-04-01"))
    page = client.get(f"/firms/{world.own.pk}/sales/imports/").content.decode()
    assert f'id="delete-import-{first.pk}"' in page and f'id="delete-import-{second.pk}"' in page
    response = client.post(f"/firms/{world.own.pk}/sales/imports/{first.pk}/delete/")
    assert response.status_code == 302
    assert not SalesImport.objects.filter(pk=first.pk).exists()
    assert set(SalesRecord.objects.values_list("source_id", flat=True)) == {second.pk}
    # a GET does not delete
    assert client.get(f"/firms/{world.own.pk}/sales/imports/{second.pk}/delete/").status_code == 405


def test_an_import_cannot_be_taken_back_by_others(world, client_for):
    batch = _import(client_for(world.users.enterprise), world.own)
    url = f"/firms/{world.own.pk}/sales/imports/{batch.pk}/delete/"
    assert client_for(world.users.association).post(url).status_code == 404
    assert client_for(world.users.office).post(url).status_code == 403
    # the import under another firm's address is not found either
    assert (
        client_for(world.users.enterprise)
        .post(f"/firms/{world.sharing.pk}/sales/imports/{batch.pk}/delete/")
        .status_code
        == 404
    )
    assert SalesRecord.objects.filter(source=batch).count() == 2
