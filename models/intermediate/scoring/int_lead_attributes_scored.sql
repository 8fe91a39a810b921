{#-
    Incremental per lead (macros/incremental/incremental_by_lead.sql): a run
    rescores the leads with a new version of their lead row.
-#}

{%- set inputs = [{'model': 'stg_crm__leads'}] %}

{{
    config(
        materialized=incremental_materialization(),
        incremental_strategy='per_lead',
        pre_hook=reprocess_hook(inputs),
    )
}}

with

leads as (
    select
        lead_id,
        job_level,
        industry,
        employee_count
    from {{ ref('stg_crm__leads') }}
    {{- incremental_lead_filter('lead_id') }}
),

rules as (
    select
        rule_name,
        attribute,
        match_value,
        min_value,
        max_value,
        points
    from {{ ref('scoring_attribute_rules') }}
),

-- One join per kind of rule, each on an equality or a range, so no lead is
-- compared with every rule (an OR of the three is a nested loop that folds
-- the industry label once per lead and rule). Industry labels are folded once
-- per distinct label.
industry_labels as (
    select distinct industry
    from leads
    where industry is not null
),

industry_rules as (
    select
        industry_labels.industry,
        rules.points
    from industry_labels
    inner join rules
        on rules.attribute = 'industry'
            and {{ normalize_label('industry_labels.industry') }} = {{ normalize_label('rules.match_value') }}
),

matched as (
    select
        leads.lead_id,
        rules.points
    from leads
    inner join rules
        on rules.attribute = 'job_level'
            and leads.job_level = rules.match_value
    union all
    select
        leads.lead_id,
        industry_rules.points
    from leads
    inner join industry_rules
        on leads.industry = industry_rules.industry
    union all
    select
        leads.lead_id,
        rules.points
    from leads
    inner join rules
        on rules.attribute = 'employee_count'
            and leads.employee_count >= coalesce(rules.min_value, leads.employee_count)
            and leads.employee_count <= coalesce(rules.max_value, leads.employee_count)
),

summed as (
    select
        lead_id,
        cast(sum(points) as integer) as attribute_score
    from matched
    group by lead_id
),

final as (
    select
        leads.lead_id,
        coalesce(summed.attribute_score, 0) as attribute_score,
        {{ incremental_bookkeeping_columns(inputs) }}
    from leads
    left join summed
        on leads.lead_id = summed.lead_id
)

select * from final
