/** The product's one test clock (protocols/testing): async `advance`, as the hub's timers start async work. */
export { ManualClock } from '@steppelink/protocols/testing';
