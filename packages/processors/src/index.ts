export * from './processor.ts';
export {
  createSandboxProcessor,
  type SandboxOptions,
  type SandboxProcessor,
} from './sandbox/sandbox.ts';
export { TEST_CARDS, TEST_VPAS } from './sandbox/test-cards.ts';
