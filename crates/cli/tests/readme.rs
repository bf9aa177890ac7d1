//! The README's code table is the catalog's: every code, its kind and its title, in order.

use sigverify_codes::Code;

const README: &str = include_str!("../../../README.md");

#[test]
fn the_code_table_is_generated_from_the_catalog() {
    let start = README
        .find("<!-- codes table: generated from crates/codes/src/catalog.rs -->")
        .expect("the README marks its code table");
    let end = README[start..]
        .find("<!-- end of codes table -->")
        .expect("the code table ends")
        + start;
    let rows: Vec<&str> = README[start..end]
        .lines()
        .filter(|l| l.starts_with("| `E"))
        .collect();
    let expected: Vec<String> = Code::ALL
        .iter()
        .map(|c| {
            format!(
                "| `{}` | {} | {} |",
                c.as_str(),
                c.kind().as_str(),
                c.title()
            )
        })
        .collect();
    assert_eq!(
        rows, expected,
        "regenerate the README's code table from crates/codes/src/catalog.rs"
    );
}
