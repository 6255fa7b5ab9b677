/**
 * The API process's own metrics (CPU, memory, event loop, GC). Created once per process:
 * prom-client's default collectors keep state (GC histograms, event-loop monitor) and would
 * report nonsense, and leak, if set up per scrape.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

let registry: Registry | undefined;

export function processRegistry(): Registry {
  if (registry === undefined) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}
