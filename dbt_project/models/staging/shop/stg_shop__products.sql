with

source as (

    select * from {{ source('raw', 'products') }}

),

renamed as (

    select
        sku,
        product_name,
        category,
        unit_cost,
        list_price,
        upper(currency) as currency,
        launch_date,
        _loaded_at as loaded_at

    from source

)

select * from renamed
