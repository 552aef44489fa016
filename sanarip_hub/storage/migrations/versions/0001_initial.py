"""initial schema of the five Sanarip Aimak modules

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27 17:37:54.732380
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ate_unit",
        sa.Column("soate_code", sa.String(length=14), nullable=False),
        sa.Column("name_ky", sa.String(length=200), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "country",
                "oblast",
                "rayon",
                "district",
                "city",
                "town",
                "ayil_aimak",
                "village",
                "pseudo",
                name="unit_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("parent_code", sa.String(length=14), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("replaced_by_code", sa.String(length=14), nullable=True),
        sa.CheckConstraint("length(soate_code) = 14", name=op.f("ck_ate_unit_soate_length")),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["ate_unit.soate_code"], name=op.f("fk_ate_unit_parent_code_ate_unit")
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_code"], ["ate_unit.soate_code"], name=op.f("fk_ate_unit_replaced_by_code_ate_unit")
        ),
        sa.PrimaryKeyConstraint("soate_code", name=op.f("pk_ate_unit")),
    )
    with op.batch_alter_table("ate_unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ate_unit_parent_code"), ["parent_code"], unique=False)

    op.create_table(
        "address",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("soate_code", sa.String(length=14), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=True),
        sa.Column("house", sa.String(length=20), nullable=True),
        sa.Column("flat", sa.String(length=20), nullable=True),
        sa.Column("text_raw", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["soate_code"], ["ate_unit.soate_code"], name=op.f("fk_address_soate_code_ate_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_address")),
    )
    with op.batch_alter_table("address", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_address_soate_code"), ["soate_code"], unique=False)

    op.create_table(
        "lsg_body",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("soate_code", sa.String(length=14), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "ayil_okmotu", "city_mayoralty", name="lsg_kind", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("name_ky", sa.String(length=200), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("tunduk_subsystem", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["soate_code"], ["ate_unit.soate_code"], name=op.f("fk_lsg_body_soate_code_ate_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lsg_body")),
        sa.UniqueConstraint("soate_code", name=op.f("uq_lsg_body_soate_code")),
    )
    op.create_table(
        "land_queue",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("lsg_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum("housing", "lease", name="land_queue_purpose", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("opened_at", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["lsg_id"], ["lsg_body.id"], name=op.f("fk_land_queue_lsg_id_lsg_body")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_land_queue")),
    )
    with op.batch_alter_table("land_queue", schema=None) as batch_op:
        batch_op.create_index("uq_land_queue_lsg_purpose", ["lsg_id", "purpose"], unique=True)

    op.create_table(
        "lsg_passport",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("lsg_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("area_km2", sa.Numeric(precision=10, scale=2, asdecimal=False), nullable=True),
        sa.Column("settlements_count", sa.Integer(), nullable=False),
        sa.Column("population_total", sa.Integer(), nullable=False),
        sa.Column("households_total", sa.Integer(), nullable=False),
        sa.Column("migrants_out_count", sa.Integer(), nullable=False),
        sa.Column("unemployed_registered", sa.Integer(), nullable=False),
        sa.Column("derived_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["lsg_id"], ["lsg_body.id"], name=op.f("fk_lsg_passport_lsg_id_lsg_body")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lsg_passport")),
    )
    with op.batch_alter_table("lsg_passport", schema=None) as batch_op:
        batch_op.create_index("uq_lsg_passport_lsg_period", ["lsg_id", "period"], unique=True)

    op.create_table(
        "lsg_problem",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("lsg_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sector", sa.String(length=50), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("estimated_cost_som", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "planned",
                "in_progress",
                "solved",
                name="problem_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "citizen_meeting",
                "kenesh",
                "survey",
                name="problem_source",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["lsg_id"], ["lsg_body.id"], name=op.f("fk_lsg_problem_lsg_id_lsg_body")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lsg_problem")),
    )
    with op.batch_alter_table("lsg_problem", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lsg_problem_lsg_id"), ["lsg_id"], unique=False)

    op.create_table(
        "municipal_property",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("lsg_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("inventory_no", sa.String(length=30), nullable=False),
        sa.Column("eni_code", sa.String(length=18), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "building",
                "premises",
                "land",
                "road",
                "network",
                "vehicle",
                "equipment",
                "other",
                name="property_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("address_text", sa.String(length=400), nullable=True),
        sa.Column("area_m2", sa.Numeric(precision=12, scale=1, asdecimal=False), nullable=True),
        sa.Column("area_ha", sa.Numeric(precision=10, scale=4, asdecimal=False), nullable=True),
        sa.Column("length_m", sa.Numeric(precision=10, scale=1, asdecimal=False), nullable=True),
        sa.Column("year_built", sa.SmallInteger(), nullable=True),
        sa.Column("book_value_som", sa.Numeric(precision=16, scale=2, asdecimal=False), nullable=False),
        sa.Column("residual_value_som", sa.Numeric(precision=16, scale=2, asdecimal=False), nullable=False),
        sa.Column("valuation_date", sa.Date(), nullable=True),
        sa.Column(
            "acquisition_basis",
            sa.Enum(
                "state_transfer",
                "construction",
                "purchase",
                "donation",
                "court",
                name="acquisition_basis",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("acquisition_doc_no", sa.String(length=30), nullable=True),
        sa.Column("acquisition_doc_date", sa.Date(), nullable=True),
        sa.Column(
            "use_status",
            sa.Enum(
                "in_use",
                "leased",
                "free",
                "privatisation_pending",
                "written_off",
                name="use_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("balance_holder", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["lsg_id"], ["lsg_body.id"], name=op.f("fk_municipal_property_lsg_id_lsg_body")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipal_property")),
    )
    with op.batch_alter_table("municipal_property", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_municipal_property_eni_code"), ["eni_code"], unique=False)
        batch_op.create_index("uq_municipal_property_lsg_inventory", ["lsg_id", "inventory_no"], unique=True)

    op.create_table(
        "person",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("lsg_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("pin", sa.String(length=14), nullable=True),
        sa.Column(
            "pin_status",
            sa.Enum(
                "active",
                "blocked",
                "duplicate",
                "none",
                name="pin_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("surname", sa.String(length=100), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("patronymic", sa.String(length=100), nullable=True),
        sa.Column(
            "gender",
            sa.Enum("F", "M", name="gender", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("death_date", sa.Date(), nullable=True),
        sa.Column("marital_status", sa.SmallInteger(), nullable=True),
        sa.Column("nationality", sa.String(length=50), nullable=True),
        sa.Column("citizenship", sa.String(length=3), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("pin IS NULL OR length(pin) = 14", name=op.f("ck_person_pin_length")),
        sa.ForeignKeyConstraint(["lsg_id"], ["lsg_body.id"], name=op.f("fk_person_lsg_id_lsg_body")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("pin", name=op.f("uq_person_pin")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_lsg_id"), ["lsg_id"], unique=False)
        batch_op.create_index("ix_person_names", ["surname", "given_name", "birth_date"], unique=False)

    op.create_table(
        "social_object",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("lsg_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "school",
                "kindergarten",
                "fap",
                "hospital",
                "club",
                "library",
                "sports",
                "mosque",
                "market",
                "cemetery",
                "water_supply",
                "road",
                "bridge",
                name="social_object_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("address_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("eni_code", sa.String(length=18), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("actual_load", sa.Integer(), nullable=True),
        sa.Column(
            "condition",
            sa.Enum(
                "good",
                "satisfactory",
                "poor",
                "emergency",
                name="condition",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("year_built", sa.SmallInteger(), nullable=True),
        sa.Column(
            "owner",
            sa.Enum(
                "municipal",
                "state",
                "private",
                name="object_owner",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["address_id"], ["address.id"], name=op.f("fk_social_object_address_id_address")
        ),
        sa.ForeignKeyConstraint(["lsg_id"], ["lsg_body.id"], name=op.f("fk_social_object_lsg_id_lsg_body")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_object")),
    )
    with op.batch_alter_table("social_object", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_social_object_lsg_id"), ["lsg_id"], unique=False)

    op.create_table(
        "household",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("lsg_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("book_no", sa.Integer(), nullable=False),
        sa.Column("account_no", sa.String(length=20), nullable=False),
        sa.Column("address_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("head_person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "household_type",
            sa.Enum(
                "family",
                "single",
                "institution",
                name="household_type",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("opened_at", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.Date(), nullable=True),
        sa.Column("close_reason", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["address_id"], ["address.id"], name=op.f("fk_household_address_id_address")),
        sa.ForeignKeyConstraint(
            ["head_person_id"], ["person.id"], name=op.f("fk_household_head_person_id_person")
        ),
        sa.ForeignKeyConstraint(["lsg_id"], ["lsg_body.id"], name=op.f("fk_household_lsg_id_lsg_body")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household")),
    )
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_address_id"), ["address_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_household_head_person_id"), ["head_person_id"], unique=False)
        batch_op.create_index("uq_household_lsg_account", ["lsg_id", "account_no"], unique=True)

    op.create_table(
        "lsg_passport_population",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("passport_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "gender",
            sa.Enum("F", "M", name="gender", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("age_band", sa.String(length=12), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["passport_id"],
            ["lsg_passport.id"],
            name=op.f("fk_lsg_passport_population_passport_id_lsg_passport"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lsg_passport_population")),
    )
    with op.batch_alter_table("lsg_passport_population", schema=None) as batch_op:
        batch_op.create_index(
            "uq_lsg_passport_population_cell", ["passport_id", "gender", "age_band"], unique=True
        )

    op.create_table(
        "person_pin_alias",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("pin", sa.String(length=14), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "old", "duplicate", "new", name="pin_alias_kind", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.CheckConstraint("length(pin) = 14", name=op.f("ck_person_pin_alias_pin_length")),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_pin_alias_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_pin_alias")),
        sa.UniqueConstraint("pin", name=op.f("uq_person_pin_alias_pin")),
    )
    with op.batch_alter_table("person_pin_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_pin_alias_person_id"), ["person_id"], unique=False)

    op.create_table(
        "property_event",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("property_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "registered",
                "revalued",
                "leased",
                "privatised",
                "written_off",
                "transferred",
                name="property_event_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("doc_no", sa.String(length=30), nullable=True),
        sa.Column("doc_date", sa.Date(), nullable=True),
        sa.Column("amount_som", sa.Numeric(precision=16, scale=2, asdecimal=False), nullable=True),
        sa.ForeignKeyConstraint(
            ["property_id"],
            ["municipal_property.id"],
            name=op.f("fk_property_event_property_id_municipal_property"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_property_event")),
    )
    with op.batch_alter_table("property_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_property_event_property_id"), ["property_id"], unique=False)

    op.create_table(
        "property_lease",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("property_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("lessee_inn", sa.String(length=14), nullable=False),
        sa.Column("lessee_name", sa.String(length=300), nullable=False),
        sa.Column("contract_no", sa.String(length=30), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("rent_som_month", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["property_id"],
            ["municipal_property.id"],
            name=op.f("fk_property_lease_property_id_municipal_property"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_property_lease")),
    )
    with op.batch_alter_table("property_lease", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_property_lease_property_id"), ["property_id"], unique=False)

    op.create_table(
        "dwelling",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("eni_code", sa.String(length=18), nullable=True),
        sa.Column(
            "dwelling_type",
            sa.Enum(
                "house", "flat", "other", name="dwelling_type", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column(
            "ownership",
            sa.Enum("own", "rent", "municipal", name="ownership", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("year_built", sa.SmallInteger(), nullable=True),
        sa.Column("area_total_m2", sa.Numeric(precision=8, scale=1, asdecimal=False), nullable=True),
        sa.Column("area_living_m2", sa.Numeric(precision=8, scale=1, asdecimal=False), nullable=True),
        sa.Column("rooms", sa.SmallInteger(), nullable=True),
        sa.Column("water", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("sewerage", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("gas", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("heating", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("electricity", sa.Boolean(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_dwelling_household_id_household"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dwelling")),
    )
    with op.batch_alter_table("dwelling", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dwelling_household_id"), ["household_id"], unique=False)

    op.create_table(
        "household_land",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("parcel_no", sa.String(length=40), nullable=True),
        sa.Column(
            "category",
            sa.Enum(
                "homestead",
                "arable",
                "perennial",
                "hayfield",
                "pasture",
                name="land_category",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("area_ha", sa.Numeric(precision=10, scale=4, asdecimal=False), nullable=False),
        sa.Column("irrigated", sa.Boolean(), server_default="0", nullable=False),
        sa.Column(
            "land_right",
            sa.Enum("own", "lease", "use", name="land_right", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_household_land_household_id_household"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_land")),
    )
    with op.batch_alter_table("household_land", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_land_household_id"), ["household_id"], unique=False)

    op.create_table(
        "household_livestock",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "cattle",
                "cows",
                "sheep",
                "goats",
                "horses",
                "yaks",
                "camels",
                "pigs",
                "poultry",
                "bees",
                name="livestock_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("head_count", sa.Integer(), nullable=False),
        sa.CheckConstraint("head_count >= 0", name=op.f("ck_household_livestock_head_count_non_negative")),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_household_livestock_household_id_household"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_livestock")),
    )
    with op.batch_alter_table("household_livestock", schema=None) as batch_op:
        batch_op.create_index(
            "uq_household_livestock_year_kind", ["household_id", "year", "kind"], unique=True
        )

    op.create_table(
        "household_member",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "relation_to_head",
            sa.Enum(
                "head",
                "spouse",
                "son",
                "daughter",
                "father",
                "mother",
                "grandchild",
                "daughter_in_law",
                "son_in_law",
                "brother",
                "sister",
                "other_relative",
                "non_relative",
                name="relation",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("member_from", sa.Date(), nullable=False),
        sa.Column("member_to", sa.Date(), nullable=True),
        sa.Column("is_temporarily_absent", sa.Boolean(), server_default="0", nullable=False),
        sa.Column(
            "absence_reason",
            sa.Enum(
                "labour_migration",
                "study",
                "army",
                "other",
                name="absence_reason",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("absence_country", sa.String(length=3), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_household_member_household_id_household"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_household_member_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_member")),
    )
    with op.batch_alter_table("household_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_member_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_household_member_person_id"), ["person_id"], unique=False)

    op.create_table(
        "land_application",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("queue_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reg_number", sa.String(length=30), nullable=False),
        sa.Column("reg_datetime", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "applicant_person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "priority_category",
            sa.Enum(
                "none",
                "large_family",
                "disabled",
                "orphan",
                "veteran",
                "disaster_victim",
                "civil_servant",
                name="priority_category",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("has_own_housing", sa.Boolean(), nullable=False),
        sa.Column("has_land_plot", sa.Boolean(), nullable=False),
        sa.Column("residence_since", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "registered",
                "verified",
                "rejected",
                "allocated",
                "withdrawn",
                "removed",
                name="application_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("status_reason", sa.String(length=300), nullable=True),
        sa.Column("allocated_parcel_eni", sa.String(length=18), nullable=True),
        sa.Column("decision_no", sa.String(length=30), nullable=True),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("lease_term_years", sa.SmallInteger(), nullable=True),
        sa.Column("lease_area_ha", sa.Numeric(precision=10, scale=4, asdecimal=False), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_person_id"],
            ["person.id"],
            name=op.f("fk_land_application_applicant_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_land_application_household_id_household")
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"], ["land_queue.id"], name=op.f("fk_land_application_queue_id_land_queue")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_land_application")),
    )
    with op.batch_alter_table("land_application", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_land_application_applicant_person_id"), ["applicant_person_id"], unique=False
        )
        batch_op.create_index(
            "ix_land_application_order", ["queue_id", "status", "reg_datetime", "id"], unique=False
        )
        batch_op.create_index("uq_land_application_queue_reg_number", ["queue_id", "reg_number"], unique=True)

    op.create_table(
        "social_passport",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("lsg_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("opened_at", sa.Date(), nullable=False),
        sa.Column("reviewed_at", sa.Date(), nullable=True),
        sa.Column("next_review_due", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "active",
                "archived",
                name="social_passport_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("commission_decision_no", sa.String(length=30), nullable=True),
        sa.Column("commission_decision_date", sa.Date(), nullable=True),
        sa.Column(
            "per_capita_income_som", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False
        ),
        sa.Column(
            "gmi_som_at_assessment", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False
        ),
        sa.Column("is_below_gmi", sa.Boolean(), nullable=False),
        sa.Column(
            "welfare_category",
            sa.Enum(
                "extreme_poor",
                "poor",
                "vulnerable",
                "not_poor",
                name="welfare_category",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("land_ha", sa.Numeric(precision=10, scale=4, asdecimal=False), nullable=True),
        sa.Column("livestock_units", sa.Numeric(precision=8, scale=2, asdecimal=False), nullable=True),
        sa.Column("vehicles", sa.SmallInteger(), nullable=True),
        sa.Column("dwelling_condition", sa.String(length=20), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_social_passport_household_id_household")
        ),
        sa.ForeignKeyConstraint(["lsg_id"], ["lsg_body.id"], name=op.f("fk_social_passport_lsg_id_lsg_body")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_passport")),
    )
    with op.batch_alter_table("social_passport", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_social_passport_household_id"), ["household_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_social_passport_next_review_due"), ["next_review_due"], unique=False
        )
        batch_op.create_index("uq_social_passport_lsg_number", ["lsg_id", "number"], unique=True)

    op.create_table(
        "land_application_event",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "registered",
                "verified",
                "rejected",
                "allocated",
                "withdrawn",
                "removed",
                name="from_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "registered",
                "verified",
                "rejected",
                "allocated",
                "withdrawn",
                "removed",
                name="to_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["land_application.id"],
            name=op.f("fk_land_application_event_application_id_land_application"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_land_application_event")),
    )
    with op.batch_alter_table("land_application_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_land_application_event_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "social_passport_member",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("passport_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "relation",
            sa.Enum(
                "head",
                "spouse",
                "son",
                "daughter",
                "father",
                "mother",
                "grandchild",
                "daughter_in_law",
                "son_in_law",
                "brother",
                "sister",
                "other_relative",
                "non_relative",
                name="relation",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "employment",
            sa.Enum(
                "employed",
                "self_employed",
                "unemployed_registered",
                "student",
                "pensioner",
                "child",
                "disabled",
                name="employment",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("disability_group", sa.SmallInteger(), nullable=True),
        sa.Column("income_monthly_som", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
        sa.Column(
            "income_source",
            sa.Enum(
                "salary",
                "pension",
                "benefit",
                "agriculture",
                "remittances",
                "other",
                "none",
                name="income_source",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["passport_id"],
            ["social_passport.id"],
            name=op.f("fk_social_passport_member_passport_id_social_passport"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_social_passport_member_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_passport_member")),
    )
    with op.batch_alter_table("social_passport_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_social_passport_member_passport_id"), ["passport_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_social_passport_member_person_id"), ["person_id"], unique=False)

    op.create_table(
        "social_service_access",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("passport_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "service",
            sa.Enum(
                "ubk_benefit",
                "pension",
                "disability_allowance",
                "health_insurance",
                "kindergarten",
                "school_meals",
                "social_contract",
                "energy_tariff",
                name="social_service",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "receiving",
                "eligible_not_receiving",
                "ineligible",
                "applied",
                name="service_access_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column(
            "source",
            sa.Enum("mlsp", "sf", "local", name="service_source", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["passport_id"],
            ["social_passport.id"],
            name=op.f("fk_social_service_access_passport_id_social_passport"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_service_access")),
    )
    with op.batch_alter_table("social_service_access", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_social_service_access_passport_id"), ["passport_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("social_service_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_social_service_access_passport_id"))

    op.drop_table("social_service_access")
    with op.batch_alter_table("social_passport_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_social_passport_member_person_id"))
        batch_op.drop_index(batch_op.f("ix_social_passport_member_passport_id"))

    op.drop_table("social_passport_member")
    with op.batch_alter_table("land_application_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_land_application_event_application_id"))

    op.drop_table("land_application_event")
    with op.batch_alter_table("social_passport", schema=None) as batch_op:
        batch_op.drop_index("uq_social_passport_lsg_number")
        batch_op.drop_index(batch_op.f("ix_social_passport_next_review_due"))
        batch_op.drop_index(batch_op.f("ix_social_passport_household_id"))

    op.drop_table("social_passport")
    with op.batch_alter_table("land_application", schema=None) as batch_op:
        batch_op.drop_index("uq_land_application_queue_reg_number")
        batch_op.drop_index("ix_land_application_order")
        batch_op.drop_index(batch_op.f("ix_land_application_applicant_person_id"))

    op.drop_table("land_application")
    with op.batch_alter_table("household_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_member_person_id"))
        batch_op.drop_index(batch_op.f("ix_household_member_household_id"))

    op.drop_table("household_member")
    with op.batch_alter_table("household_livestock", schema=None) as batch_op:
        batch_op.drop_index("uq_household_livestock_year_kind")

    op.drop_table("household_livestock")
    with op.batch_alter_table("household_land", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_land_household_id"))

    op.drop_table("household_land")
    with op.batch_alter_table("dwelling", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dwelling_household_id"))

    op.drop_table("dwelling")
    with op.batch_alter_table("property_lease", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_property_lease_property_id"))

    op.drop_table("property_lease")
    with op.batch_alter_table("property_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_property_event_property_id"))

    op.drop_table("property_event")
    with op.batch_alter_table("person_pin_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_pin_alias_person_id"))

    op.drop_table("person_pin_alias")
    with op.batch_alter_table("lsg_passport_population", schema=None) as batch_op:
        batch_op.drop_index("uq_lsg_passport_population_cell")

    op.drop_table("lsg_passport_population")
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_index("uq_household_lsg_account")
        batch_op.drop_index(batch_op.f("ix_household_head_person_id"))
        batch_op.drop_index(batch_op.f("ix_household_address_id"))

    op.drop_table("household")
    with op.batch_alter_table("social_object", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_social_object_lsg_id"))

    op.drop_table("social_object")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index("ix_person_names")
        batch_op.drop_index(batch_op.f("ix_person_lsg_id"))

    op.drop_table("person")
    with op.batch_alter_table("municipal_property", schema=None) as batch_op:
        batch_op.drop_index("uq_municipal_property_lsg_inventory")
        batch_op.drop_index(batch_op.f("ix_municipal_property_eni_code"))

    op.drop_table("municipal_property")
    with op.batch_alter_table("lsg_problem", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lsg_problem_lsg_id"))

    op.drop_table("lsg_problem")
    with op.batch_alter_table("lsg_passport", schema=None) as batch_op:
        batch_op.drop_index("uq_lsg_passport_lsg_period")

    op.drop_table("lsg_passport")
    with op.batch_alter_table("land_queue", schema=None) as batch_op:
        batch_op.drop_index("uq_land_queue_lsg_purpose")

    op.drop_table("land_queue")
    op.drop_table("lsg_body")
    with op.batch_alter_table("address", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_address_soate_code"))

    op.drop_table("address")
    with op.batch_alter_table("ate_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ate_unit_parent_code"))

    op.drop_table("ate_unit")
