#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so `npx osbuild-agent` works right after `npm ci`.
// The single executable (Node SEA) bundles src/bin.ts instead and does not use this file.
import { register } from 'tsx/esm/api';

register();
await import('../src/bin.ts');
