{#-
    Counts are rounded up at each step (wins, then opportunities, then leads),
    as in the seed example 100,000,000 / 5,000,000 = 20 wins; / 0.20 = 100
    opportunities; / 0.15 = 666.7 -> 667 leads. ceil_count() keeps
    floating-point noise (21 / 0.35 = 60.00000000000001) from adding a whole
    deal or lead.
-#}

with

as_of as (
    select
        as_of_at,
        {{ dbt.dateadd('month', -1 * var('plan_trailing_months'), 'as_of_at') }} as window_start_at
    from {{ ref('int_as_of') }}
),

opportunities as (
    select
        opportunity_id,
        lead_id,
        amount,
        closed_at,
        is_closed,
        is_won
    from {{ ref('int_opportunities_evaluated_as_of') }}
),

leads as (
    select
        lead_id,
        channel,
        created_at,
        reached_opportunity_at
    from {{ ref('dim_leads') }}
),

breakdowns as (
    select 'overall' as breakdown
    union all
    select 'channel' as breakdown
),

-- opportunities closed in the trailing window (after window_start_at, by as_of)
closed_opportunities as (
    select
        opportunities.opportunity_id,
        coalesce(leads.channel, 'unknown') as channel,
        opportunities.amount,
        opportunities.is_won
    from opportunities
    cross join as_of
    left join leads
        on opportunities.lead_id = leads.lead_id
    where opportunities.is_closed
        and opportunities.closed_at > as_of.window_start_at
),

-- leads created in the trailing window, and whether they reached opportunity by as_of
cohort_leads as (
    select
        leads.lead_id,
        leads.channel,
        leads.reached_opportunity_at
    from leads
    cross join as_of
    where leads.created_at > as_of.window_start_at
),

opportunity_rates as (
    select
        breakdowns.breakdown,
        case when breakdowns.breakdown = 'overall' then 'all' else closed_opportunities.channel end as breakdown_value,
        cast(sum(case when closed_opportunities.is_won then 1 else 0 end) as bigint) as won_opportunities,
        count(*) as closed_opportunities,
        avg(case when closed_opportunities.is_won then closed_opportunities.amount end) as average_won_amount
    from closed_opportunities
    cross join breakdowns
    group by 1, 2
),

lead_rates as (
    select
        breakdowns.breakdown,
        case when breakdowns.breakdown = 'overall' then 'all' else cohort_leads.channel end as breakdown_value,
        count(*) as cohort_leads,
        count(cohort_leads.reached_opportunity_at) as cohort_leads_reached_opportunity
    from cohort_leads
    cross join breakdowns
    group by 1, 2
),

measured as (
    select
        'measured' as scenario,
        coalesce(opportunity_rates.breakdown, lead_rates.breakdown) as breakdown,
        coalesce(opportunity_rates.breakdown_value, lead_rates.breakdown_value) as breakdown_value,
        opportunity_rates.average_won_amount,
        {{ safe_rate('opportunity_rates.won_opportunities', 'opportunity_rates.closed_opportunities') }} as win_rate,
        {{ safe_rate('lead_rates.cohort_leads_reached_opportunity', 'lead_rates.cohort_leads') }} as lead_to_opportunity_rate,
        coalesce(opportunity_rates.won_opportunities, 0) as won_opportunities,
        coalesce(opportunity_rates.closed_opportunities, 0) as closed_opportunities,
        coalesce(lead_rates.cohort_leads, 0) as cohort_leads,
        coalesce(lead_rates.cohort_leads_reached_opportunity, 0) as cohort_leads_reached_opportunity
    from opportunity_rates
    full outer join lead_rates
        on opportunity_rates.breakdown = lead_rates.breakdown
            and opportunity_rates.breakdown_value = lead_rates.breakdown_value
),

textbook as (
    select
        'textbook' as scenario,
        'overall' as breakdown,
        'all' as breakdown_value,
        cast({{ var('textbook_average_won_amount') }} as double) as average_won_amount,
        cast({{ var('textbook_win_rate') }} as double) as win_rate,
        cast({{ var('textbook_lead_to_opportunity_rate') }} as double) as lead_to_opportunity_rate,
        cast(null as bigint) as won_opportunities,
        cast(null as bigint) as closed_opportunities,
        cast(null as bigint) as cohort_leads,
        cast(null as bigint) as cohort_leads_reached_opportunity
),

scenarios as (
    select * from measured
    union all
    select * from textbook
),

required_wins as (
    select
        scenarios.*,
        case
            when scenarios.average_won_amount > 0
                then {{ ceil_count("cast(" ~ var('revenue_target') ~ " as double) / scenarios.average_won_amount") }}
        end as required_wins
    from scenarios
),

required_opportunities as (
    select
        required_wins.*,
        case
            when required_wins.win_rate > 0
                then {{ ceil_count('required_wins.required_wins / required_wins.win_rate') }}
        end as required_opportunities
    from required_wins
),

required_leads as (
    select
        required_opportunities.*,
        case
            when required_opportunities.lead_to_opportunity_rate > 0
                then {{ ceil_count(
                    'required_opportunities.required_opportunities / required_opportunities.lead_to_opportunity_rate'
                ) }}
        end as required_leads
    from required_opportunities
),

final as (
    select
        {{ dbt.concat([
            "required_leads.scenario", "'|'", "required_leads.breakdown", "'|'", "required_leads.breakdown_value",
        ]) }} as plan_row_id,
        required_leads.scenario,
        required_leads.breakdown,
        required_leads.breakdown_value,
        as_of.as_of_at,
        case when required_leads.scenario = 'measured' then as_of.window_start_at end as window_start_at,
        cast({{ var('revenue_target') }} as double) as revenue_target,
        cast(required_leads.average_won_amount as double) as average_won_amount,
        cast(required_leads.win_rate as double) as win_rate,
        cast(required_leads.lead_to_opportunity_rate as double) as lead_to_opportunity_rate,
        required_leads.required_wins,
        required_leads.required_opportunities,
        required_leads.required_leads,
        cast(required_leads.won_opportunities as bigint) as won_opportunities,
        cast(required_leads.closed_opportunities as bigint) as closed_opportunities,
        cast(required_leads.cohort_leads as bigint) as cohort_leads,
        cast(required_leads.cohort_leads_reached_opportunity as bigint) as cohort_leads_reached_opportunity
    from required_leads
    cross join as_of
)

select * from final
