//! `PUT /configurations` (`UpdateConfigurations` in server/v2.0/handler/config.go): the body is
//! bound to the swagger `Configurations` model before the controller's `validateCfg`
//! (controller/config/controller.go) sees it.

use serde_json::json;

use crate::support::Harbor;

/// go-swagger binds the body into the typed `Configurations` model and `toCfgMap` marshals it
/// back with nil pointers left out: a key the model lacks, and a `null`, never reach the
/// controller. Seen on Harbor 2.15.2: `{"emu_unknown_key_x": 1}` answered 200 and GET did not
/// show the key; `{"robot_name_prefix": null}` answered 200 and left the prefix as it was.
#[tokio::test]
async fn unknown_configuration_keys_and_nulls_are_dropped() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .put(
            "/configurations",
            json!({"emu_unknown_key_x": 1, "robot_name_prefix": null, "scan_all_policy": "x"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let j = h.admin().get("/configurations").await.json();
    assert!(j.get("emu_unknown_key_x").is_none(), "{j}");
    // `scan_all_policy` is in the response model but not the request model.
    assert!(j.get("scan_all_policy").is_none(), "{j}");
    assert_eq!(j["robot_name_prefix"]["value"], "robot$");
}

/// `robot_name_prefix` is a `StringType` item (lib/config/metadata/metadatalist.go), whose
/// `validate` accepts any string: an empty prefix is stored, and robots are then named and sign
/// in without one (controller/robot `Get` prefixes the name with the setting).
#[tokio::test]
async fn empty_robot_name_prefix_is_allowed() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .put("/configurations", json!({"robot_name_prefix": ""}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let j = h.admin().get("/configurations").await.json();
    assert_eq!(j["robot_name_prefix"]["value"], "");
    let (_, name, secret) = h.system_robot("plain", &[("project", "list")]).await;
    assert_eq!(name, "plain");
    assert_eq!(h.user(&name, &secret).get("/projects").await.status, 200);
}

/// `verifyValueLengthCfg` (controller/config/controller.go) holds `robot_token_duration`, like
/// `token_expiration` and `session_timeout`, to a positive value of at most ten digits
/// (`UIMaxLengthLimitedOfNumber`); both texts seen on Harbor 2.15.2.
#[tokio::test]
async fn robot_token_duration_is_positive_and_at_most_ten_digits() {
    let h = Harbor::start().await;
    for (value, message) in [
        (json!(0), "the robot_token_duration value must be positive"),
        (json!(-3), "the robot_token_duration value must be positive"),
        (
            json!(10_000_000_000_i64),
            "the robot_token_duration value is over the limit value: 9999999999",
        ),
    ] {
        let r = h
            .admin()
            .put("/configurations", json!({"robot_token_duration": value}))
            .await;
        assert_eq!((r.status, r.message()), (400, message.to_string()));
    }
    let r = h
        .admin()
        .put(
            "/configurations",
            json!({"robot_token_duration": 9_999_999_999_i64}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let j = h.admin().get("/configurations").await.json();
    assert_eq!(j["robot_token_duration"]["value"], 9_999_999_999_i64);
}
