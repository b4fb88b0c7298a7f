"""Every tenant-owned collection that is listed per tenant has an index
starting with tenant_id (metadb_ensure_indexes, run at worker start)."""
import os

import pymongo

from conftest import wait_for

WANTED = {
    "users": ("tenant_id", "email"),
    "api_keys": ("tenant_id", "created_at"),
    "audit": ("tenant_id", "at"),
    "files": ("tenant_id", "created_at"),
    "searches": ("tenant_id", "user_id", "kind", "created_at"),
}


def test_tenant_lists_have_their_index():
    client = pymongo.MongoClient(os.environ["VIGIE_MONGO_URI"], serverSelectionTimeoutMS=5000)
    db = client[os.environ["VIGIE_MONGO_DB"]]

    def all_there():
        for coll, keys in WANTED.items():
            found = [tuple(k for k, _ in spec["key"]) for spec in db[coll].index_information().values()]
            if keys not in found:
                return None
        return True

    assert wait_for(all_there, 15, 0.5), {
        coll: list(db[coll].index_information()) for coll in WANTED}
