// Text imports (`with { type: "text" }`) of SQL migrations and web assets.
declare module "*.sql" {
  const text: string;
  export default text;
}
