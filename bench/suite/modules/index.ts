import type { BenchModule } from '../types';
import { billing } from './billing';
import { crashResume } from './crash-resume';
import { ingest } from './ingest';
import { mediationCopy, mediationStraightScript } from './mediation';
import { rating } from './rating';
import { reupload } from './reupload';
import { workerMemory } from './scale';
import { temporalOverhead } from './temporal-overhead';

/** Every bench of `npm run bench`, in the order they run. A new bench is a module added here. */
export const benchModules: readonly BenchModule[] = [
  rating, temporalOverhead, ingest, reupload, crashResume, workerMemory, mediationStraightScript, mediationCopy, billing,
];
