{#-
    The status and owner of every lead, as seen by each load of leads.csv.
    Many CRMs export leads as a full daily dump of current values, with no
    field history: a lead that moves mql -> sal -> sql over three days shows
    only sql in the last dump. This snapshot keeps each version (check
    strategy on status and owner_id), so the intermediate statuses are still
    known; stg_crm__lead_status_versions reads it. Personal data is left out.
    Run by `dbt build` (or `dbt snapshot`) after every load; it is not rebuilt
    by --full-refresh, which is the point.
-#}
{% snapshot snap_crm__lead_statuses %}

{{
    config(
        unique_key='lead_id',
        strategy='check',
        check_cols=['status', 'owner_id'],
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

{% endsnapshot %}
