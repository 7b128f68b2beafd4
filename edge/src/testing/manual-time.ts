/** The product's one test clock (protocols/testing): synchronous `advance`, as the edge's timers work synchronously. */
export { ManualTime } from '@steppelink/protocols/testing';
