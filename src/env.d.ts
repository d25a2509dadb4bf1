// Text imports (`with { type: "text" }`) of SQL migrations and web assets; file imports
// (`with { type: "file" }`, a path) of the new SQLite database the binary carries.
declare module "*.sql" {
  const text: string;
  export default text;
}

declare module "*.db.gz" {
  const path: string;
  export default path;
}
