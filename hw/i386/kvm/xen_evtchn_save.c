/*
 * Event channels: save and load of the port table as a versioned
 * stream, checked whole before it replaces the live table.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/bytestream.h"
#include "xen_evtchn_int.h"
#include "trace.h"

/*
 * Save/load.  Version 1 stream, all fields little endian:
 *   header  "XEVC" | u32 version | u16 domid | u16 0 |
 *           u32 nr_ports | u32 nr_be_ports
 *   port    u32 port | u8 state | u8 flags | u16 remote_dom |
 *           u32 remote_port                  (nr_ports of them)
 *   be port u32 be_port | u32 guest_port | u8 flags | u8 0 | u16 0
 *                                            (nr_be_ports of them)
 * An IPI port (state 3) keeps its vCPU in remote_port (remote_dom 0), a
 * VIRQ port (state 4) its VIRQ in remote_dom and vCPU in remote_port.
 * flags: bit 0 pending, bit 1 masked.  Records in increasing port order;
 * guest ports that are free with no bit set are left out.  Written with
 * the bs_put_* helpers, read with a ByteReader (qemu/bytestream.h).
 */
#define EVTCHN_STREAM_MAGIC     "XEVC"
#define EVTCHN_STREAM_VERSION   1
#define EVTCHN_RECORD_SIZE      12
#define FLAG_PENDING            1
#define FLAG_MASKED             2
#define FLAGS_ALL               (FLAG_PENDING | FLAG_MASKED)

static uint8_t flags_of(bool pending, bool masked)
{
    return (pending ? FLAG_PENDING : 0) | (masked ? FLAG_MASKED : 0);
}

GByteArray *xen_evtchn_save(void)
{
    XenEvtchnState *evtchn = xen_evtchn_state();
    GByteArray *out = g_byte_array_new();
    uint32_t nr_ports = 0, nr_be_ports = 0;

    if (!evtchn) {
        return out;
    }
    for (evtchn_port_t p = 1; p < NR_PORTS; p++) {
        XenEvtchnPort *port = &evtchn->ports[p];

        nr_ports += port->state != PORT_FREE || port->pending ||
                    port->masked;
        nr_be_ports += evtchn->be_ports[p].in_use;
    }
    bs_put_bytes(out, EVTCHN_STREAM_MAGIC, 4);
    bs_put_le32(out, EVTCHN_STREAM_VERSION);
    bs_put_le16(out, evtchn->domid);
    bs_put_le16(out, 0);
    bs_put_le32(out, nr_ports);
    bs_put_le32(out, nr_be_ports);
    for (evtchn_port_t p = 1; p < NR_PORTS; p++) {
        XenEvtchnPort *port = &evtchn->ports[p];

        if (port->state == PORT_FREE && !port->pending && !port->masked) {
            continue;
        }
        bs_put_le32(out, p);
        bs_put_u8(out, port->state);
        bs_put_u8(out, flags_of(port->pending, port->masked));
        if (port->state == PORT_IPI || port->state == PORT_VIRQ) {
            bs_put_le16(out, port->state == PORT_VIRQ ? port->virq : 0);
            bs_put_le32(out, port->vcpu);
        } else {
            bs_put_le16(out, port->remote_dom);
            bs_put_le32(out, port->remote_port);
        }
    }
    for (evtchn_port_t p = 1; p < NR_PORTS; p++) {
        XenEvtchnBePort *be = &evtchn->be_ports[p];

        if (!be->in_use) {
            continue;
        }
        bs_put_le32(out, p);
        bs_put_le32(out, be->guest_port);
        bs_put_u8(out, flags_of(be->pending, be->masked));
        bs_put_u8(out, 0);
        bs_put_le16(out, 0);
    }
    trace_xen_evtchn_save(out->len, nr_ports, nr_be_ports);
    return out;
}

#define EVTCHN_LOAD_ERR "event channel state: "

/* The header; the record counts in *nr_ports and *nr_be_ports. */
static bool decode_header(ByteReader *r, domid_t guest_domid,
                          uint32_t *nr_ports, uint32_t *nr_be_ports,
                          Error **errp)
{
    uint32_t version;
    uint16_t domid, reserved;

    if (!br_expect(r, EVTCHN_STREAM_MAGIC, 4)) {
        error_setg(errp, EVTCHN_LOAD_ERR "bad magic");
        return false;
    }
    if (!br_u32(r, &version) || !br_u16(r, &domid) ||
        !br_u16(r, &reserved) || !br_u32(r, nr_ports) ||
        !br_u32(r, nr_be_ports)) {
        error_setg(errp, EVTCHN_LOAD_ERR "truncated header");
        return false;
    }
    if (version != EVTCHN_STREAM_VERSION) {
        error_setg(errp, EVTCHN_LOAD_ERR "unknown version %u", version);
        return false;
    }
    if (domid != guest_domid) {
        error_setg(errp, EVTCHN_LOAD_ERR "state of domain %u, not of "
                   "domain %u", domid, guest_domid);
        return false;
    }
    if (reserved) {
        error_setg(errp, EVTCHN_LOAD_ERR "reserved header field set");
        return false;
    }
    if (*nr_ports >= NR_PORTS || *nr_be_ports >= NR_PORTS ||
        br_remaining(r) != (size_t)EVTCHN_RECORD_SIZE *
                           (*nr_ports + *nr_be_ports)) {
        error_setg(errp, EVTCHN_LOAD_ERR "%zu bytes of records for %u "
                   "guest and %u backend ports", br_remaining(r),
                   *nr_ports, *nr_be_ports);
        return false;
    }
    return true;
}

/* One guest port record into ports[]; @last is the previous port. */
static bool decode_port(ByteReader *r, domid_t guest_domid,
                        uint32_t nr_vcpus, XenEvtchnPort *ports,
                        evtchn_port_t *last, Error **errp)
{
    uint32_t port, remote_port;
    uint16_t remote_dom;
    uint8_t state, flags;
    XenEvtchnPort *p;

    /* The length was checked: every record is there. */
    br_u32(r, &port);
    br_u8(r, &state);
    br_u8(r, &flags);
    br_u16(r, &remote_dom);
    br_u32(r, &remote_port);
    if (!valid_port(port) || port <= *last) {
        error_setg(errp, EVTCHN_LOAD_ERR "port %u out of range or order",
                   port);
        return false;
    }
    *last = port;
    if (flags & ~FLAGS_ALL) {
        error_setg(errp, EVTCHN_LOAD_ERR "port %u: unknown flags 0x%x",
                   port, flags);
        return false;
    }
    p = &ports[port];
    p->state = state;
    p->pending = flags & FLAG_PENDING;
    p->masked = flags & FLAG_MASKED;
    p->remote_dom = remote_dom;
    p->remote_port = remote_port;
    switch (state) {
    case PORT_FREE:
        /* Only its mask bit is kept, so that must be set. */
        if (p->pending || !p->masked || remote_dom || remote_port) {
            error_setg(errp, EVTCHN_LOAD_ERR "free port %u with a peer, "
                       "pending or unmasked", port);
            return false;
        }
        return true;
    case PORT_UNBOUND:
        if (remote_dom >= DOMID_FIRST_RESERVED || remote_port) {
            error_setg(errp, EVTCHN_LOAD_ERR "unbound port %u: bad remote "
                       "domain %u or port %u", port, remote_dom,
                       remote_port);
            return false;
        }
        return true;
    case PORT_INTERDOMAIN:
        if ((remote_dom != DOMID_QEMU && remote_dom != guest_domid) ||
            !valid_port(remote_port)) {
            error_setg(errp, EVTCHN_LOAD_ERR "interdomain port %u: bad "
                       "peer %u:%u", port, remote_dom, remote_port);
            return false;
        }
        return true;
    case PORT_IPI:
    case PORT_VIRQ:
        p->remote_dom = 0;
        p->remote_port = 0;
        p->vcpu = remote_port;
        p->virq = remote_dom;
        if ((state == PORT_IPI && remote_dom) || remote_dom >= NR_VIRQS ||
            remote_port >= nr_vcpus) {
            error_setg(errp, EVTCHN_LOAD_ERR "port %u: bad VIRQ %u or "
                       "vCPU %u", port, remote_dom, remote_port);
            return false;
        }
        return true;
    default:
        error_setg(errp, EVTCHN_LOAD_ERR "port %u: unknown state %u", port,
                   state);
        return false;
    }
}

/* One backend port record into be_ports[]; @last: the previous one. */
static bool decode_be_port(ByteReader *r, XenEvtchnBePort *be_ports,
                           evtchn_port_t *last, Error **errp)
{
    uint32_t be_port, guest_port;
    uint8_t flags, pad8;
    uint16_t pad16;
    XenEvtchnBePort *be;

    br_u32(r, &be_port);
    br_u32(r, &guest_port);
    br_u8(r, &flags);
    br_u8(r, &pad8);
    br_u16(r, &pad16);
    if (!valid_port(be_port) || be_port <= *last) {
        error_setg(errp, EVTCHN_LOAD_ERR "backend port %u out of range or "
                   "order", be_port);
        return false;
    }
    *last = be_port;
    if ((flags & ~FLAGS_ALL) || pad8 || pad16) {
        error_setg(errp, EVTCHN_LOAD_ERR "backend port %u: unknown flags",
                   be_port);
        return false;
    }
    if (guest_port && !valid_port(guest_port)) {
        error_setg(errp, EVTCHN_LOAD_ERR "backend port %u bound to guest "
                   "port %u, out of range", be_port, guest_port);
        return false;
    }
    be = &be_ports[be_port];
    be->in_use = true;
    be->guest_port = guest_port;
    be->pending = flags & FLAG_PENDING;
    be->masked = flags & FLAG_MASKED;
    return true;
}

/* The whole stream into ports and be_ports (zeroed by the caller). */
static bool decode_stream(const uint8_t *data, size_t len,
                          domid_t guest_domid, uint32_t nr_vcpus,
                          XenEvtchnPort *ports,
                          XenEvtchnBePort *be_ports, Error **errp)
{
    uint32_t nr_ports, nr_be_ports;
    evtchn_port_t last = 0;
    ByteReader r;

    br_init(&r, data, len, false);
    if (!decode_header(&r, guest_domid, &nr_ports, &nr_be_ports, errp)) {
        return false;
    }
    for (uint32_t i = 0; i < nr_ports; i++) {
        if (!decode_port(&r, guest_domid, nr_vcpus, ports, &last, errp)) {
            return false;
        }
    }
    last = 0;
    for (uint32_t i = 0; i < nr_be_ports; i++) {
        if (!decode_be_port(&r, be_ports, &last, errp)) {
            return false;
        }
    }
    return true;
}

/* Every connection must be seen the same from both of its ends. */
static bool check_links(XenEvtchnPort *ports, XenEvtchnBePort *be_ports,
                        Error **errp)
{
    bool virq_bound[NR_VIRQS][XEN_EVTCHN_MAX_VCPUS] = { { false } };

    for (evtchn_port_t p = 1; p < NR_PORTS; p++) {
        XenEvtchnPort *port = &ports[p];
        XenEvtchnBePort *be = &be_ports[p];

        if (port->state == PORT_VIRQ) {
            /* A global VIRQ has one port, whatever its vCPU. */
            uint32_t v = virq_is_global(port->virq) ? 0 : port->vcpu;

            if (virq_bound[port->virq][v]) {
                error_setg(errp, EVTCHN_LOAD_ERR "VIRQ %u bound twice",
                           port->virq);
                return false;
            }
            virq_bound[port->virq][v] = true;
        }
        if (port->state == PORT_INTERDOMAIN) {
            if (port->remote_dom == DOMID_QEMU) {
                if (!be_ports[port->remote_port].in_use ||
                    be_ports[port->remote_port].guest_port != p) {
                    error_setg(errp, EVTCHN_LOAD_ERR "guest port %u to "
                               "backend port %u, not bound back", p,
                               port->remote_port);
                    return false;
                }
            } else {
                XenEvtchnPort *peer = &ports[port->remote_port];

                if (port->remote_port == p ||
                    peer->state != PORT_INTERDOMAIN ||
                    peer->remote_dom != port->remote_dom ||
                    peer->remote_port != p) {
                    error_setg(errp, EVTCHN_LOAD_ERR "loopback port %u "
                               "with no matching peer", p);
                    return false;
                }
            }
        }
        if (be->in_use && be->guest_port) {
            XenEvtchnPort *gp = &ports[be->guest_port];

            if (gp->state != PORT_INTERDOMAIN ||
                gp->remote_dom != DOMID_QEMU || gp->remote_port != p) {
                error_setg(errp, EVTCHN_LOAD_ERR "backend port %u to guest "
                           "port %u, not bound back", p, be->guest_port);
                return false;
            }
        }
    }
    return true;
}

bool xen_evtchn_load(const uint8_t *data, size_t len, Error **errp)
{
    XenEvtchnState *evtchn = xen_evtchn_state();
    g_autofree XenEvtchnPort *ports = g_new0(XenEvtchnPort, NR_PORTS);
    g_autofree XenEvtchnBePort *be_ports = g_new0(XenEvtchnBePort,
                                                  NR_PORTS);
    Error *err = NULL;

    if (!evtchn) {
        error_setg(errp, EVTCHN_LOAD_ERR "no event channels to load into");
        return false;
    }
    /* Everything is checked on copies; only then does the state change. */
    if (!decode_stream(data, len, evtchn->domid, evtchn->nr_vcpus, ports,
                       be_ports, &err) ||
        !check_links(ports, be_ports, &err)) {
        trace_xen_evtchn_load_failed(len, error_get_pretty(err));
        error_propagate(errp, err);
        return false;
    }
    for (guint i = 0; i < evtchn->handles->len; i++) {
        XenEvtchnBeHandle *h = g_ptr_array_index(evtchn->handles, i);

        h->be_port = 0;
    }
    memcpy(evtchn->ports, ports, sizeof(evtchn->ports));
    memcpy(evtchn->be_ports, be_ports, sizeof(evtchn->be_ports));
    trace_xen_evtchn_load(len);
    return true;
}
