"""The store manager's stock screens in the admin: permissions, variance, posting."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from store_edge.inventory.models import StockDocument, StockLevel
from store_edge.inventory.stock_operations import StockLine, stock_operation
from store_edge.ledger.models import LedgerEntry

WATER, BREAD = "100001", "200036"


def manager(*permissions: str) -> Client:
    user = User.objects.create_user("manager", password="a-long-password", is_staff=True)
    codenames = ["add_stockdocument", "change_stockdocument", "view_stockdocument",
                 "view_stockdocumentline", "add_stockdocumentline", "change_stockdocumentline",
                 "view_stocklevel", "view_ledgerentry", *permissions]  # fmt: skip
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def draft_count(client: Client, *lines: tuple[str, str], section: str = "aisle 1") -> StockDocument:
    data = {"kind": "count", "reference": "", "other_store": "", "reason": "",
            "section": section, "note": "", "lines-TOTAL_FORMS": str(len(lines)),
            "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000"}  # fmt: skip
    for n, (sku, quantity) in enumerate(lines):
        data[f"lines-{n}-sku"] = sku
        data[f"lines-{n}-quantity"] = quantity
    answer = client.post("/admin/inventory/stockdocument/add/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return StockDocument.objects.get(kind="count")


def post(client: Client, document: StockDocument) -> str:
    answer = client.post(
        "/admin/inventory/stockdocument/",
        {"action": "post_to_ledger", "_selected_action": [str(document.id)]},
        follow=True,
    )
    return answer.content.decode()


def test_a_count_shows_its_variance_then_is_posted(catalog: None) -> None:
    stock_operation(kind="delivery", lines=[StockLine(WATER, Decimal(24))], user="x")
    client = manager("count_stock")
    document = draft_count(client, (WATER, "20"))
    page = client.get(f"/admin/inventory/stockdocument/{document.id}/change/").content.decode()
    assert "<td>100001</td><td>24.000</td><td>20.000</td><td>-4.000</td>" in page
    assert LedgerEntry.objects.filter(kind="count").count() == 0  # nothing before posting
    assert "posted" in post(client, document)
    assert StockLevel.objects.get(sku=WATER).quantity == Decimal("20.000")
    assert LedgerEntry.objects.get(kind="count").user == "manager"


def test_posting_needs_the_permission_of_the_operation(catalog: None) -> None:
    client = manager()  # may prepare documents, not post counts
    document = draft_count(client, (WATER, "20"))
    assert "you may not post a stock count" in post(client, document)
    assert LedgerEntry.objects.count() == 0
    assert StockDocument.objects.get().status == "draft"


def test_a_bad_document_is_refused_with_its_reason(catalog: None) -> None:
    client = manager("count_stock")
    document = draft_count(client, ("999999", "3"))
    assert "unknown SKU 999999" in post(client, document)
    assert LedgerEntry.objects.count() == 0


def test_the_negative_stock_list(catalog: None) -> None:
    StockLevel.objects.create(sku=WATER, quantity_milli=-3000)
    StockLevel.objects.create(sku=BREAD, quantity_milli=5000)
    page = manager().get("/admin/inventory/stocklevel/?stock=negative").content.decode()
    assert WATER in page and "Sparkling water" in page
    assert BREAD not in page


def test_the_ledger_cannot_be_edited_in_the_admin(catalog: None) -> None:
    stock_operation(kind="delivery", lines=[StockLine(WATER, Decimal(24))], user="x")
    client = manager()
    entry = LedgerEntry.objects.get()
    assert client.get("/admin/ledger/ledgerentry/").status_code == 200
    assert client.post(f"/admin/ledger/ledgerentry/{entry.seq}/change/", {}).status_code == 403


@pytest.mark.parametrize("path", ["/admin/inventory/stockdocument/", "/admin/"])
def test_a_cashier_without_staff_status_cannot_reach_the_admin(db: None, path: str) -> None:
    user = User.objects.create_user("cashier", password="a-long-password")
    client = Client()
    client.force_login(user)
    assert client.get(path).status_code == 302  # to the login page
