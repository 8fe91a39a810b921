with

source as (
    select * from {{ source('crm', 'users') }}
),

user_roles as (
    {{ select_label_mapping('map_user_roles', 'role') }}
),

renamed as (
    select
        user_id,
        name as user_name,
        team as team_name,
        role as role_label,
        coalesce(is_active, true) as is_active,
        manager_id,

        {{ normalize_label('role') }} as role_key

    from source
),

final as (
    select
        renamed.user_id,
        renamed.user_name,
        renamed.team_name,
        renamed.role_label,
        coalesce(user_roles.role, 'other') as role,
        renamed.is_active,
        renamed.manager_id

    from renamed
    left join user_roles
        on renamed.role_key = user_roles.label_key
)

select * from final
