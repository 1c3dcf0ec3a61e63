/** Real `samflow worker` child processes for the cluster tests (one implementation, in bench/support). */
export { SamflowWorker, builtCli, repoRoot } from '../../bench/support/samflowWorker';
