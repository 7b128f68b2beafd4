import { runEdgeScenarios } from '@steppelink/edge/testing';
import { startHubScenarioBroker } from './support/hub-scenario-broker.ts';

// Issue 5's end-to-end scenarios with the real hub as the broker (the mosquitto variant is
// edge/src/e2e/mosquitto.test.ts): the hub's inbox and telemetry store stand in for a subscriber.
runEdgeScenarios('the real hub', startHubScenarioBroker);
