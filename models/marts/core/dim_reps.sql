with

users as (
    select * from {{ ref('stg_crm__users') }}
),

final as (
    select
        user_id as rep_id,
        user_name as name,
        team_name as team,
        role,
        is_active,
        is_sales_user,
        manager_id
    from users
)

select * from final
