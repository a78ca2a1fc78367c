/*
 * The editor code every Mediant node shares, loaded by each node's html
 * (`<script src="resources/node-red-contrib-mediant/mediant-editor.js">`,
 * which Node-RED runs before the rest of that file), so that no node depends
 * on another node's html having loaded first. Defines RED.mediant:
 *
 * - versions and migrations: the runtime publishes each type's numbered steps
 *   (RED.settings.<typeInCamelCase>Migrations, see src/nodes/lib/migrations.ts);
 *   a new node gets the current version, an old one is brought up to it when
 *   its dialog is opened (the fields show the values that keep its old
 *   behaviour) and saved;
 * - the device choice of every flow node: "Device from" (this node's device,
 *   msg.device, and for the polling nodes every device or a group), with its
 *   validation, tips and the node's label.
 */
(function () {
  "use strict";
  if (RED.mediant && RED.mediant.loaded) return;
  var M = (RED.mediant = RED.mediant || {});
  M.loaded = true;

  // The help sidebar keeps inline <code> on one line (Node-RED's style for
  // short names): our samples are whole error messages and paths, cut off at
  // the sidebar's edge. In our help only (each help text is wrapped in
  // .mediant-help), they wrap, breaking long words where they must.
  if (!document.getElementById("mediant-help-style")) {
    $("<style>", { id: "mediant-help-style" })
      .text(".mediant-help code { white-space: normal; overflow-wrap: anywhere; } .mediant-help pre { white-space: pre-wrap; overflow-wrap: anywhere; }")
      .appendTo("head");
  }

  var CATALOG = "node-red-contrib-mediant/mediant-device:";
  function _(key, subs) {
    return RED._(CATALOG + key, subs);
  }

  function settingsPrefix(type) {
    return type.replace(/[^a-zA-Z0-9]+(.)/g, function (_m, c) { return c.toUpperCase(); }).replace(/^./, function (c) { return c.toLowerCase(); });
  }

  /** The type's migration steps, as the runtime published them. */
  M.steps = function (type) {
    var steps = RED.settings[settingsPrefix(type) + "Migrations"];
    return Array.isArray(steps) ? steps : [];
  };

  /** The version a node of this type is written with today. */
  M.version = function (type) {
    return M.steps(type).reduce(function (v, s) { return Math.max(v, s.version); }, 0);
  };

  function storedVersion(node) {
    var v = node.version;
    var n = typeof v === "number" ? v : typeof v === "string" && /^\s*\d{1,6}\s*$/.test(v) ? Number(v) : 0;
    return n >= 0 && n === Math.floor(n) ? n : 0;
  }

  /** The properties the steps above the node's version add (those it does not have yet), with their values. */
  M.missing = function (node) {
    var from = storedVersion(node);
    var add = {};
    M.steps(node.type).forEach(function (step) {
      if (step.version <= from) return;
      Object.keys(step.defaults || {}).forEach(function (k) {
        if (node[k] === undefined && !(k in add)) add[k] = step.defaults[k];
      });
    });
    return add;
  };

  /** A property as the dialog shows it now (while this node's dialog is open), else as stored. */
  function current(node, prop) {
    var el = $("#node-input-" + prop);
    if (el.length && el.closest(".red-ui-tray").length) return el.val();
    return node[prop] !== undefined ? node[prop] : M.missing(node)[prop];
  }

  function deviceFrom(node) {
    return current(node, "deviceFrom") || "node";
  }

  /** Node 4 no longer gives a new node the only config node of its type: pick the only mediant-device there is. */
  M.pickOnlyDevice = function (node) {
    if (node.device) return;
    var devices = [];
    RED.nodes.eachConfig(function (c) { if (c.type === "mediant-device") devices.push(c.id); });
    if (devices.length === 1) node.device = devices[0];
  };

  /**
   * The `defaults` of a flow node: its own, plus device, deviceFrom, version
   * (and deviceGroup for a polling node, `fleet`).
   */
  M.flowDefaults = function (type, own, fleet) {
    var d = {
      device: {
        value: "",
        type: "mediant-device",
        // no `required`: with deviceFrom msg the device is a fallback, with all or group there is none
        // (v, opt): a validator of two arguments may return the reason, shown by the editor
        validate: function (v, opt) {
          void opt;
          var from = deviceFrom(this);
          if (from === "all" || from === "group") return true;
          if (!v || v === "_ADD_") return from === "msg" ? true : _("deviceFrom.validation.device");
          var c = RED.nodes.node(v);
          if (!c) return _("deviceFrom.validation.missing");
          return c.valid === false ? _("deviceFrom.validation.invalid") : true;
        }
      },
      deviceFrom: {
        value: "node",
        validate: function (v, opt) {
          void opt;
          var ok = fleet ? /^(node|msg|all|group)$/ : /^(node|msg)$/;
          // a node stored before deviceFrom existed takes its own device
          return v === undefined || v === "" || ok.test(v) ? true : _("deviceFrom.validation.from");
        }
      },
      version: { value: M.version(type) }
    };
    if (fleet) {
      d.deviceGroup = {
        value: "",
        validate: function (v, opt) {
          void opt;
          return deviceFrom(this) !== "group" || (typeof v === "string" && v.trim() !== "") ? true : _("deviceFrom.validation.group");
        }
      };
    }
    Object.keys(own).forEach(function (k) { d[k] = own[k]; });
    return d;
  };

  /** The `defaults` of a config node: its own plus version. */
  M.configDefaults = function (type, own) {
    var d = { version: { value: M.version(type) } };
    Object.keys(own).forEach(function (k) { d[k] = own[k]; });
    return d;
  };

  /** The device part of a node's label: the device's name, msg.device, all devices, a group. */
  M.deviceText = function (node) {
    var from = node.deviceFrom || "node";
    if (from === "all") return _("deviceFrom.short.all");
    if (from === "group") return _("deviceFrom.short.group", { group: node.deviceGroup || "?" });
    if (from === "msg") return _("deviceFrom.short.msg");
    var dev = RED.nodes.node(node.device);
    return dev ? dev.name || dev.host || "" : "";
  };

  /**
   * The dialog of an old node: each field a migration adds shows the value
   * that keeps its old behaviour (saved with the current version by `save`).
   */
  M.migrateDialog = function (node, prefix) {
    var add = M.missing(node);
    Object.keys(add).forEach(function (k) {
      var el = $("#" + (prefix || "node-input") + "-" + k);
      if (!el.length) return;
      if (el.attr("type") === "checkbox") el.prop("checked", !!add[k]);
      else el.val(add[k]);
    });
  };

  /**
   * oneditprepare of a flow node: the "Device from" row (before the device
   * row), the group row for a polling node, the tip, and the old node's
   * migration. `fleet`: the node can watch every device or a group.
   */
  M.prepareDevice = function (node, fleet) {
    var deviceRow = $("#node-input-device").closest(".form-row");
    var add = M.missing(node);
    var from = node.deviceFrom !== undefined && node.deviceFrom !== "" ? node.deviceFrom : add.deviceFrom || "node";

    var fromRow = $('<div class="form-row"></div>');
    $('<label for="node-input-deviceFrom"><i class="fa fa-random"></i> </label>').append($("<span></span>").text(_("deviceFrom.label"))).appendTo(fromRow);
    var select = $('<select id="node-input-deviceFrom" style="width: 70%;"></select>').appendTo(fromRow);
    (fleet ? ["node", "msg", "all", "group"] : ["node", "msg"]).forEach(function (v) {
      $("<option></option>").val(v).text(_("deviceFrom.options." + v)).appendTo(select);
    });
    fromRow.insertBefore(deviceRow);
    select.val(from);

    var groupRow;
    if (fleet) {
      groupRow = $('<div class="form-row"></div>');
      $('<label for="node-input-deviceGroup"><i class="fa fa-object-group"></i> </label>').append($("<span></span>").text(_("deviceFrom.group"))).appendTo(groupRow);
      var input = $('<input type="text" id="node-input-deviceGroup" style="width: 70%;" list="mediant-device-groups">').attr("placeholder", _("deviceFrom.groupPlaceholder")).appendTo(groupRow);
      var list = $('<datalist id="mediant-device-groups"></datalist>').appendTo(groupRow);
      var groups = {};
      RED.nodes.eachConfig(function (c) { if (c.type === "mediant-device" && c.group) groups[c.group] = (groups[c.group] || 0) + 1; });
      Object.keys(groups).sort().forEach(function (g) { $("<option></option>").val(g).text(_("deviceFrom.groupCount", { count: groups[g] })).appendTo(list); });
      input.val(node.deviceGroup !== undefined ? node.deviceGroup : add.deviceGroup || "");
      groupRow.insertAfter(deviceRow);
    }
    var tip = $('<div class="form-tips" id="mediant-device-from-tip"></div>').insertAfter(groupRow || deviceRow);
    var deviceLabel = deviceRow.find("label span").first();
    var deviceText = deviceLabel.text();

    function changed() {
      var v = select.val();
      deviceRow.toggle(v === "node" || v === "msg");
      if (groupRow) groupRow.toggle(v === "group");
      deviceLabel.text(v === "msg" ? _("deviceFrom.fallback") : deviceText);
      tip.text(_("deviceFrom.tip." + v));
      $("#node-input-device").trigger("change");
    }
    select.on("change", changed);
    changed();
    M.migrateDialog(node);
  };

  /** In an open dialog of a fleet node: the first device of its fleet (all, or the group typed), to browse. */
  M.fleetDevice = function (node) {
    var from = deviceFrom(node);
    if (from !== "all" && from !== "group") return undefined;
    var group = String(current(node, "deviceGroup") || "").trim();
    var found;
    RED.nodes.eachConfig(function (c) {
      if (!found && c.type === "mediant-device" && (from === "all" || (c.group || "").trim() === group)) found = c.id;
    });
    return found;
  };

  /** oneditsave of every node: it is now stored at the current version. */
  M.save = function (node) {
    node.version = M.version(node.type);
  };
})();
