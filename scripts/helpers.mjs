// The local servers and the action runner of the tests (__tests__/helpers, TypeScript) for the plain-JS
// scripts (demo, benches): Node 24 strips the types, and this hook maps the helpers' `.js` imports to `.ts`.
// Import it only once running on Node 24 (see node24.mjs).
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, next) {
    if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.includes('/__tests__/helpers/')) {
      try {
        return next(specifier.replace(/\.js$/, '.ts'), context);
      } catch {
        /* a real .js file */
      }
    }
    return next(specifier, context);
  },
});

export const { startMoto, freePort } = await import('../__tests__/helpers/moto.ts');
export const { startOidcServer } = await import('../__tests__/helpers/oidc.ts');
export const { runAction } = await import('../__tests__/helpers/action.ts');
export const { startRegistry, buildahEnv } = await import('../__tests__/helpers/registry.ts');
