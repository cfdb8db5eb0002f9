"""HQ's contract as JSON Schema, for the store's side of the contract tests: the OpenAPI
document of HQ's store API, and the schemas of the documents ledger entries carry.

Run with HQ's settings: python -m tests.contract.hq_schema > schema.json"""

import json

import django


def main() -> None:
    django.setup()
    from cloud_hq.api import api
    from cloud_hq.ingest.contract import EntryIn, EntryKind, SaleDoc, ShiftDoc

    print(json.dumps({
        "openapi": api.get_openapi_schema(),
        "entry": EntryIn.model_json_schema(),
        "entry_kinds": [kind.value for kind in EntryKind],
        "documents": {"sale_completed": SaleDoc.model_json_schema(),
                      "return_completed": SaleDoc.model_json_schema(),
                      "shift_closed": ShiftDoc.model_json_schema()},
    }))  # fmt: skip


if __name__ == "__main__":
    main()
