#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so `npx osbuild` works right after `npm ci`.
// Nothing is compiled ahead of time.
import { register } from 'tsx/esm/api';

register();
await import('../src/bin.ts');
