/// <reference types="astro/client" />

// Plain tsc (the project's typecheck) does not understand .astro files; Astro's own checker does.
// This lets .ts modules under site/ import components without tsc failing on the import.
declare module '*.astro' {
  const Component: (props: Record<string, unknown>) => unknown;
  export default Component;
}
