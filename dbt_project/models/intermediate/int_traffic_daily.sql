-- Sessions and visitors per traffic day and platform. Incremental: a build rewrites each
-- day and platform a load since the last build added or re-exported traffic rows for.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['traffic_date', 'platform'],
        on_schema_change='fail',
    )
}}

with

traffic as (

    select * from {{ ref('stg_shop__traffic') }}

),

{% if is_incremental() %}

changed_days as (

    select distinct
        traffic_date,
        platform
    from traffic
    where {{ loads_since_last_build() }}

),

{% endif %}

final as (

    select
        traffic_date,
        platform,
        {{ stored_count('sum(sessions)') }} as sessions,
        {{ stored_count('sum(visitors)') }} as visitors,
        max(load_id) as load_id,
        -- which build wrote the row (int_changed_days)
        '{{ invocation_id }}' as build_id
    from traffic
    {% if is_incremental() %}
        where exists (
            select 1 from changed_days
            where
                changed_days.traffic_date = traffic.traffic_date
                and changed_days.platform = traffic.platform
        )
    {% endif %}
    group by traffic_date, platform

)

select * from final
