//! Prints the TypeScript declaration of every code, for the Node binding's `index.d.ts`
//! (`scripts/build.js` passes it to `napi build --dts-header`).

fn main() {
    println!("/** Every stable code npm-sigverify can report (see the README's code table). */");
    println!("export type Code = {}", sigverify_codes::typescript_union());
}
