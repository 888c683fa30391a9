/**
 * The terminal's `sim` (labs/kit/sim.ts: the same code runs in the page's worker, on the course
 * server for `sim --reference`, and in the grading sandbox for a learner's sim), and its form on the
 * wire between the course server and the page (POST /api/sim: the pcap bytes as base64).
 */
export {
  checkSimWire,
  listScenarioNames,
  simFromWire,
  simToWire,
  simulate,
  type ScenarioListing,
  type SimReply,
  type SimRequest,
  type SimResult,
  type SimWireReply,
} from '../../../labs/kit/sim.ts';
