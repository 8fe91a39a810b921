{#-
    One row per lead: the attribute score, the points of every rule of the
    seed scoring_attribute_rules the lead matches (job level, industry label
    ignoring case and width, employee count range). 0 when none matches.
-#}

with

leads as (
    select
        lead_id,
        job_level,
        industry,
        employee_count
    from {{ ref('stg_crm__leads') }}
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

matched as (
    select
        leads.lead_id,
        rules.points
    from leads
    inner join rules
        on (rules.attribute = 'job_level' and leads.job_level = rules.match_value)
            or (rules.attribute = 'industry' and {{ normalize_label('leads.industry') }} = {{ normalize_label('rules.match_value') }})
            or (
                rules.attribute = 'employee_count'
                and leads.employee_count >= coalesce(rules.min_value, leads.employee_count)
                and leads.employee_count <= coalesce(rules.max_value, leads.employee_count)
            )
),

summed as (
    select
        lead_id,
        sum(points) as attribute_score
    from matched
    group by lead_id
),

final as (
    select
        leads.lead_id,
        coalesce(summed.attribute_score, 0) as attribute_score
    from leads
    left join summed
        on leads.lead_id = summed.lead_id
)

select * from final
