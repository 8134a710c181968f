//! Cases for `ping` and products.

use std::sync::Arc;

use hallpass_core::Error;
use hallpass_core::model::{KeyPurpose, Product};
use hallpass_core::store::Store;

use super::fixtures::{at, by_kid, env_key, first_keys, product};

/// A reachable store answers a ping (health checks rely on it).
pub async fn ping_answers(store: Arc<dyn Store>) {
    store.ping().await.expect("ping");
}

/// Products come back as stored, list by tag, and their first keys are stored with them.
pub async fn product_insert_get_list(store: Arc<dyn Store>) {
    let shop = product("shop", &["dev", "prd"]);
    let blog = product("blog", &["prd"]);
    assert!(
        store
            .insert_product(&shop, &first_keys(&shop))
            .await
            .expect("insert shop")
    );
    assert!(store.insert_product(&blog, &[]).await.expect("insert blog"));
    assert_eq!(
        store.product("shop").await.expect("get"),
        Some(shop.clone())
    );
    assert_eq!(store.product("nope").await.expect("get"), None);
    assert_eq!(
        store.products().await.expect("list"),
        vec![blog, shop.clone()]
    );
    assert_eq!(
        by_kid(store.env_keys().await.expect("keys")),
        by_kid(first_keys(&shop))
    );
}

/// A second product with an existing tag is refused and writes nothing, not even its keys.
pub async fn product_duplicate_writes_nothing(store: Arc<dyn Store>) {
    let shop = product("shop", &["dev"]);
    assert!(
        store
            .insert_product(&shop, &first_keys(&shop))
            .await
            .expect("insert")
    );
    let impostor = Product {
        name: "Impostor".into(),
        ..product("shop", &["stg"])
    };
    let inserted = store
        .insert_product(&impostor, &first_keys(&impostor))
        .await
        .expect("insert again");
    assert!(!inserted, "a duplicate tag must return false");
    assert_eq!(
        store.product("shop").await.expect("get"),
        Some(shop.clone())
    );
    assert_eq!(store.products().await.expect("list").len(), 1);
    assert_eq!(
        by_kid(store.env_keys().await.expect("keys")),
        by_kid(first_keys(&shop))
    );
}

/// A product whose keys cannot all be stored (a kid already taken) leaves no trace.
pub async fn product_insert_failing_key_writes_nothing(store: Arc<dyn Store>) {
    let shop = product("shop", &["dev"]);
    assert!(
        store
            .insert_product(&shop, &first_keys(&shop))
            .await
            .expect("insert")
    );
    let blog = product("blog", &["dev"]);
    let keys = vec![
        env_key("blog-dev-sig-1", "blog", "dev", KeyPurpose::Signing),
        env_key("shop-dev-sig-1", "blog", "dev", KeyPurpose::Data),
    ];
    let result = store.insert_product(&blog, &keys).await;
    assert!(matches!(result, Err(Error::Internal(_))), "got {result:?}");
    assert_eq!(store.product("blog").await.expect("get"), None);
    assert_eq!(
        by_kid(store.env_keys().await.expect("keys")),
        by_kid(first_keys(&shop))
    );
}

/// An update replaces name, origins and `updated_at` only; an absent product is not created.
pub async fn product_update_replaces_name_origins_updated_at(store: Arc<dyn Store>) {
    let shop = product("shop", &["dev", "prd"]);
    assert!(store.insert_product(&shop, &[]).await.expect("insert"));
    let change = Product {
        name: "Shop, renamed".into(),
        envs: vec!["stg".into()],
        allowed_origins: vec!["https://new.example".into()],
        created_at: at(50),
        updated_at: at(100),
        ..shop.clone()
    };
    assert!(
        !store
            .update_product(&change, at(5))
            .await
            .expect("update from a stale read"),
        "an update based on an outdated read must not apply"
    );
    assert_eq!(
        store.product("shop").await.expect("get"),
        Some(shop.clone())
    );
    assert!(
        store
            .update_product(&change, shop.updated_at)
            .await
            .expect("update")
    );
    let expected = Product {
        name: change.name.clone(),
        allowed_origins: change.allowed_origins.clone(),
        updated_at: change.updated_at,
        ..shop
    };
    assert_eq!(store.product("shop").await.expect("get"), Some(expected));
    let ghost = product("ghost", &["dev"]);
    assert!(
        !store
            .update_product(&ghost, ghost.updated_at)
            .await
            .expect("update absent")
    );
    assert_eq!(store.product("ghost").await.expect("get"), None);
}
