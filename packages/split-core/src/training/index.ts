export { InProcessFederation, type InProcessFederationOptions, type SimulatedClient } from './in_process_federation';
export { Simulation, type EpochReport, type SimulationOptions } from './simulation';
export { CentralizedTrainer } from './centralized';
