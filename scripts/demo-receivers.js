'use strict';
/**
 * The demo's "receivers" tab: stand-ins, inside the demo's own Node-RED, for
 * the two outside services the examples talk to, built from core nodes only
 * so that a user can open them and see how they work:
 *
 *   POST  /demo/chat          a Slack/Teams-style incoming webhook: takes {text}, answers "ok"
 *   GET   /demo/chat          the messages received so far (JSON array)
 *   POST  /demo/tickets       a ticketing API: opens a ticket, answers 201 {id, status:"open", ...}
 *   PATCH /demo/tickets/:id   updates (closes) a ticket: 200, or 404 for an unknown id
 *   GET   /demo/tickets       every ticket by id (JSON object)
 *
 * Chat messages are shown in the debug sidebar (one line per message a team
 * would read); tickets in the status of their debug nodes ("INC0003 closed"),
 * so that the sidebar stays readable for the user's own debug output.
 */

const TAB = 'd3e0aec1e1e0ab00';
const CHAT_KEEP = 200;

function ids() {
  let n = 0;
  return () => `d3e0aec1e1e0${(++n).toString(16).padStart(4, '0')}`;
}

/** Node-RED nodes of the receivers tab (the tab node first). */
function receiverFlow() {
  const next = ids();
  const id = {};
  for (const k of [
    'about', 'chatIn', 'chatKeep', 'chatDbg', 'chatOk', 'chatRes', 'chatListIn', 'chatList', 'chatListRes',
    'tIn', 'tOpen', 'tOpenDbg', 'tOpenRes', 'tPatchIn', 'tFind', 'tKnown', 'tUpdate', 'tMissing', 'tUpdDbg', 'tUpdRes', 'tListIn', 'tList', 'tListRes',
  ]) {
    id[k] = next();
  }
  const at = (col, row) => ({ z: TAB, x: 170 + col * 220, y: 40 + row * 60 });
  const change = (key, name, rules, wires, col, row) => ({
    id: id[key], type: 'change', name, rules, action: '', property: '', from: '', to: '', reg: false, ...at(col, row), wires,
  });
  const set = (p, to, tot, pt = 'msg') => ({ t: 'set', p, pt, to, tot });
  const del = (p) => ({ t: 'delete', p, pt: 'msg' });
  const httpIn = (key, name, method, url, wires, col, row) => ({
    id: id[key], type: 'http in', name, url, method, upload: false, swaggerDoc: '', ...at(col, row), wires,
  });
  const response = (key, col, row) => ({ id: id[key], type: 'http response', name: '', statusCode: '', headers: {}, ...at(col, row), wires: [] });
  const debug = (key, name, complete, col, row, { sidebar = true, status } = {}) => ({
    id: id[key], type: 'debug', name, active: true, tosidebar: sidebar, console: false, tostatus: true,
    complete, targetType: 'msg', statusVal: status ?? complete, statusType: status ? 'jsonata' : 'auto', ...at(col, row), wires: [],
  });
  const ticketStatus = { sidebar: false, status: 'payload.id & " " & payload.status' };

  const nodes = [
    { id: TAB, type: 'tab', label: 'Demo receivers', disabled: false, info: 'Stand-ins for the team chat webhook and the ticketing API that the example flows call (made by `npm start`, not part of the package).' },
    {
      id: id.about, type: 'comment', name: 'Demo receivers: stand-ins for the chat webhook and the ticketing API the examples call',
      info: [
        'Made by `npm start` (scripts/demo.js), not part of the package. The example flows read `CHAT_WEBHOOK_URL` and `TICKET_API_URL` from the environment; the demo points them here:',
        '',
        '- `POST /demo/chat` takes `{"text": ...}` like a Slack or Teams incoming webhook and answers `ok`; `GET /demo/chat` lists what arrived.',
        '- `POST /demo/tickets` opens a ticket (201 with its `id`), `PATCH /demo/tickets/<id>` updates it (the ticket example closes it), `GET /demo/tickets` lists them.',
        '',
        'Chat messages show in the debug sidebar; the two ticket debug nodes show the latest ticket in their status.',
      ].join('\n'),
      z: TAB, x: 0, y: 40, wires: [],
    },

    // chat webhook
    httpIn('chatIn', 'chat webhook', 'post', '/demo/chat', [[id.chatKeep]], 0, 1),
    change('chatKeep', 'keep the last 200', [
      set('chat', `(\n  $list := $append($exists($flowContext("chat")) ? $flowContext("chat") : [], [{"time": $now(), "text": payload.text}]);\n  $count($list) > ${CHAT_KEEP} ? $list[[$count($list) - ${CHAT_KEEP}..$count($list) - 1]] : $list\n)`, 'jsonata', 'flow'),
    ], [[id.chatDbg, id.chatOk]], 1, 1),
    debug('chatDbg', 'chat message', 'payload.text', 2, 0.75),
    change('chatOk', 'answer ok', [set('payload', 'ok', 'str'), set('statusCode', '200', 'num')], [[id.chatRes]], 2, 1.35),
    response('chatRes', 3, 1.35),
    httpIn('chatListIn', 'chat so far', 'get', '/demo/chat', [[id.chatList]], 0, 2.3),
    change('chatList', 'messages', [set('payload', '$exists($flowContext("chat")) ? $flowContext("chat") : []', 'jsonata')], [[id.chatListRes]], 1, 2.3),
    response('chatListRes', 2, 2.3),

    // ticket API
    httpIn('tIn', 'open ticket', 'post', '/demo/tickets', [[id.tOpen]], 0, 3.4),
    change('tOpen', 'new ticket id', [
      set('ticketSeq', '($exists($flowContext("ticketSeq")) ? $flowContext("ticketSeq") : 0) + 1', 'jsonata', 'flow'),
      set('payload', '$merge([$type(payload) = "object" ? payload : {}, {"id": "INC" & $formatInteger($flowContext("ticketSeq"), "0001"), "status": "open", "opened": $now()}])', 'jsonata'),
      set('tickets[msg.payload.id]', 'payload', 'msg', 'flow'),
      set('statusCode', '201', 'num'),
    ], [[id.tOpenDbg, id.tOpenRes]], 1, 3.4),
    debug('tOpenDbg', 'ticket opened', 'payload', 2, 3.1, ticketStatus),
    response('tOpenRes', 2, 3.7),
    httpIn('tPatchIn', 'update ticket', 'patch', '/demo/tickets/:id', [[id.tFind]], 0, 4.7),
    change('tFind', 'which ticket?', [set('ticket', 'tickets[msg.req.params.id]', 'flow')], [[id.tKnown]], 1, 4.7),
    {
      id: id.tKnown, type: 'switch', name: 'known?', property: 'ticket', propertyType: 'msg',
      rules: [{ t: 'nnull' }, { t: 'else' }], checkall: 'false', repair: false, outputs: 2, ...at(2, 4.7), wires: [[id.tUpdate], [id.tMissing]],
    },
    change('tUpdate', 'update it', [
      set('payload', '$merge([ticket, $type(payload) = "object" ? payload : {}, {"updated": $now()}])', 'jsonata'),
      set('tickets[msg.req.params.id]', 'payload', 'msg', 'flow'),
      set('statusCode', '200', 'num'),
      del('ticket'),
    ], [[id.tUpdDbg, id.tUpdRes]], 3, 4.4),
    debug('tUpdDbg', 'ticket updated', 'payload', 4, 4.1, ticketStatus),
    response('tUpdRes', 4, 4.85),
    change('tMissing', '404', [set('payload', '{"error": "no such ticket"}', 'json'), set('statusCode', '404', 'num')], [[id.tUpdRes]], 3, 5.1),
    httpIn('tListIn', 'tickets so far', 'get', '/demo/tickets', [[id.tList]], 0, 6.1),
    change('tList', 'tickets', [set('payload', '$exists($flowContext("tickets")) ? $flowContext("tickets") : {}', 'jsonata')], [[id.tListRes]], 1, 6.1),
    response('tListRes', 2, 6.1),
  ];
  const about = nodes.find((n) => n.id === id.about);
  about.x = Math.round(40 + (about.name.length * 7.5 + 40) / 2); // nodes are placed by their centre
  return nodes;
}

module.exports = { receiverFlow };
