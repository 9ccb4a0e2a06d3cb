export { evaluateAcceptance, acceptanceError, describeFailure, mergeAcceptance, exitPrecedence } from './evaluate.js';
export { registerCriteria, criteriaFor, type Criterion, type CriterionResult, type CriterionSet, type TrialReportLike } from './criteria.js';
export { buildJunit, bringUpCases, criterionCases, type JunitSuite, type JunitCase } from './junit.js';
export { finishTrial, type FinishedTrial, type Judged } from './finish.js';
