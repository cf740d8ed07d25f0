// vite's `?raw` imports: the file's text (used to check docs against the running API).
declare module "*.md?raw" {
  const text: string;
  export default text;
}
