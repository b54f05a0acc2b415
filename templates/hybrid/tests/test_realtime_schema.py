"""The realtime service maps the core's tables with SQLAlchemy but never migrates them: this test
fails when its definitions and the schema Django's migrations build disagree."""

import pytest
from django.db import connection
from realtime.tables import metadata

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("table", sorted(metadata.tables.values(), key=lambda t: t.name), ids=str)
def test_the_service_maps_columns_that_the_migrations_create(table):
    with connection.cursor() as cursor:
        assert table.name in connection.introspection.table_names(cursor)
        migrated = {
            column.name: column
            for column in connection.introspection.get_table_description(cursor, table.name)
        }
    for column in table.columns:
        assert column.name in migrated, f"{table.name}.{column.name} is not in the migrated schema"
        assert bool(migrated[column.name].null_ok) == column.nullable, (
            f"{table.name}.{column.name}: nullable differs"
        )
    with connection.cursor() as cursor:
        relations = connection.introspection.get_relations(cursor, table.name)
    for key in table.foreign_keys:
        column = key.parent.name
        assert column in relations, f"{table.name}.{column} is no foreign key in the schema"
        assert relations[column][1] == key.column.table.name
