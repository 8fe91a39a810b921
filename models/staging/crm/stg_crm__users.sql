{#-
    is_sales_user is the one place the rule "a sales user" (var sales_roles)
    is written; the handoff, the touches, the activities and dim_reps read it.
-#}

with

source as (
    select * from {{ source('crm', 'users') }}
),

role_labels as (
    select distinct role as raw_label from source
),

user_roles as (
    {{ select_label_mapping('role_labels', 'map_user_roles', 'role') }}
),

renamed as (
    select
        user_id,
        name as user_name,
        team as team_name,
        role as role_label,
        coalesce(is_active, true) as is_active,
        manager_id,
        _load_id as load_id

    from source
),

final as (
    select
        renamed.user_id,
        renamed.user_name,
        renamed.team_name,
        renamed.role_label,
        coalesce(user_roles.role, 'other') as role,
        coalesce(user_roles.role, 'other') in {{ sql_list(var('sales_roles')) }} as is_sales_user,
        renamed.is_active,
        renamed.manager_id,
        renamed.load_id

    from renamed
    left join user_roles
        on renamed.role_label = user_roles.raw_label
)

select * from final
