// Writes the grading image's package.json: only what grading needs at run time (the TypeScript
// compiler for the type check and transpile, tsx to start the .ts entry, yaml for lab.yaml), each
// at the exact version package-lock.json holds, so the image grades with the compiler the course
// is tested with and does not carry the site's toolchain (Astro, Monaco, Playwright: ~450 MB).
// usage: node labs/runner/image-package.mjs <package.json> <package-lock.json> > image/package.json
import { readFileSync } from 'node:fs';

export const GRADING_PACKAGES = ['typescript', 'tsx', 'yaml'];

export function imagePackage(pkg, lock) {
  const dependencies = {};
  for (const name of GRADING_PACKAGES) {
    const version = lock.packages?.[`node_modules/${name}`]?.version;
    if (!version) throw new Error(`package-lock.json has no node_modules/${name}: run npm install first`);
    dependencies[name] = version;
  }
  return { name: `${pkg.name}-grader`, version: pkg.version, private: true, type: pkg.type, engines: pkg.engines, dependencies };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const [pkgFile, lockFile] = process.argv.slice(2);
  if (!pkgFile || !lockFile) {
    console.error('usage: node labs/runner/image-package.mjs <package.json> <package-lock.json>');
    process.exit(2);
  }
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
  process.stdout.write(JSON.stringify(imagePackage(pkg, lock), null, 2) + '\n');
}
