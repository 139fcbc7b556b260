export { type ProcessorFixtures, testProcessor } from './processor-suite.ts';
