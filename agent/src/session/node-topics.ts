import { topics } from '@osbuild/shared';

/** The topics one node's session uses, built once from its node id (topic strings come only from shared). */
export interface NodeTopics {
  cmd: string;
  status: string;
  hello: string;
  events: string;
  result: string;
  claim: string;
  welcome: string;
  telemetry: string;
  controllerStatus: string;
}

/** The topics of node `nodeId`; the id cannot change within a session, so neither can these. */
export function nodeTopics(nodeId: string): NodeTopics {
  return {
    cmd: topics.node(nodeId, 'cmd'),
    status: topics.node(nodeId, 'status'),
    hello: topics.node(nodeId, 'hello'),
    events: topics.node(nodeId, 'events'),
    result: topics.node(nodeId, 'cmd-result'),
    claim: topics.node(nodeId, 'claim'),
    welcome: topics.node(nodeId, 'welcome'),
    telemetry: topics.node(nodeId, 'telemetry'),
    controllerStatus: topics.controllerStatus(),
  };
}
