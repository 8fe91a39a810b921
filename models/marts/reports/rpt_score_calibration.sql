with

leads as (
    select * from {{ ref('dim_leads') }}
    where handed_off_at is not null
),

bands as (
    select * from {{ ref('score_bands') }}
),

banded as (
    select
        bands.score_band,
        bands.min_score,
        bands.max_score,
        leads.lead_id,
        leads.reached_opportunity_at is not null as has_opportunity,
        leads.won_at is not null as is_won
    from bands
    left join leads
        on
            bands.min_score <= leads.score_at_handoff
            and (bands.max_score is null or bands.max_score >= leads.score_at_handoff)
),

aggregated as (
    select
        score_band,
        min_score,
        max_score,
        count(lead_id) as handed_off_leads,
        cast(sum(case when has_opportunity then 1 else 0 end) as bigint) as opportunities,
        cast(sum(case when is_won then 1 else 0 end) as bigint) as wins
    from banded
    group by 1, 2, 3
),

totals as (
    select
        sum(opportunities) as all_opportunities,
        sum(case when min_score < {{ var('mql_score_threshold') }} then opportunities else 0 end) as opportunities_below_threshold
    from aggregated
),

final as (
    select
        aggregated.score_band,
        aggregated.min_score,
        aggregated.max_score,
        aggregated.min_score < {{ var('mql_score_threshold') }} as is_below_mql_threshold,
        aggregated.handed_off_leads,
        aggregated.opportunities,
        aggregated.wins,
        {{ safe_rate('aggregated.opportunities', 'aggregated.handed_off_leads') }} as opportunity_rate,
        {{ safe_rate('aggregated.wins', 'aggregated.handed_off_leads') }} as win_rate,
        {{ safe_rate('aggregated.wins', 'aggregated.opportunities') }} as opportunity_win_rate,
        {{ safe_rate('aggregated.opportunities', 'totals.all_opportunities') }} as share_of_opportunities,
        {{ safe_rate('totals.opportunities_below_threshold', 'totals.all_opportunities') }}
            as share_of_opportunities_below_threshold
    from aggregated
    cross join totals
)

select * from final
