export * from '../stripe/testing/index.ts';
export {
  againstTestMode,
  kassaFormFixtures,
  type PaymentStart,
  type ProcessorFixtures,
  type Scenario,
  testProcessor,
} from './processor-suite.ts';
