{#-
    The status and owner of every lead, as seen by each load of leads.csv.
    Many CRMs export leads as a full daily dump of current values, with no
    field history: a lead that moves mql -> sal -> sql over three days shows
    only sql in the last dump. This snapshot keeps each version (check
    strategy on status and owner_id), so the intermediate statuses are still
    known; stg_crm__lead_status_versions reads it. Personal data is left out.
    Run by `dbt build` (or `dbt snapshot`) after every load; it is not rebuilt
    by --full-refresh, which is the point.

    Each run compares only the leads of loads newer than the snapshot's
    newest: the loader gives a lead's raw row the new load whenever a load
    carries it changed, so a lead of an older load has not changed since it
    was snapshotted.
    Leads left out are not deletions (hard_deletes 'ignore', dbt's default).
-#}
{% snapshot snap_crm__lead_statuses %}

{{
    config(
        unique_key='lead_id',
        strategy='check',
        check_cols=['status', 'owner_id'],
        hard_deletes='ignore',
    )
}}

select
    lead_id,
    status,
    owner_id,
    created_at,
    updated_at,
    _load_id
from {{ source('crm', 'leads') }}
{%- if load_relation(this) is not none %}
where _load_id > (select max(_load_id) from {{ this }})
{%- endif %}

{% endsnapshot %}
