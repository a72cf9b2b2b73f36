/* Scriptable fake USB scanners on umockdev: answers usbfs ioctls for libusb. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/usbdevice_fs.h>
#include <sys/ioctl.h>

#include <umockdev.h>

#include "tests/fake_usb.h"

#define MAX_DEVS    16
#define MAX_REPORTS 8192
#define MAX_URBS    16
#define REPORT_MAX  64

/* A URB libusb submitted and we have not given back yet. */
struct urb {
	UMockdevIoctlData *urb; /* the struct usbdevfs_urb */
	UMockdevIoctlData *buf; /* its buffer (NULL if none) */
	gulong addr;		/* client address, for DISCARD */
	int in_flight;		/* waiting for a report */
};

struct fake_dev {
	struct fake_usb *fu;
	enum fake_kind kind;
	uint16_t vid, pid;
	char serial[64];
	int devnum, port;
	char *syspath;
	char devnode[64];
	UMockdevIoctlBase *handler;
	GMutex lock;		      /* everything below */
	struct urb pending[MAX_URBS]; /* interrupt URBs */
	int npending;
	struct urb done[MAX_URBS]; /* ready to reap */
	int ndone;
	uint8_t rep[MAX_REPORTS][REPORT_MAX];
	uint8_t replen[MAX_REPORTS];
	int rhead, rtail;
	int gone, stall_next;
	struct fake_stats st;
};

struct fake_usb {
	UMockdevTestbed *tb;
	struct fake_dev *devs[MAX_DEVS];
	int ndevs;
	int next_devnum;
};

/* Report descriptor of the HID POS fake: usage page 0x8C, 64-byte input. */
static const uint8_t pos_report_desc[] = { 0x05, 0x8c, 0x09, 0x02, 0xa1, 0x01, 0x09, 0xfe, 0x15,
	0x00, 0x26, 0xff, 0x00, 0x75, 0x08, 0x95, 0x40, 0x81, 0x02, 0xc0 };

/*
 * Report descriptor of the scale fake, laid out as a Dymo M10/M25 shipping
 * scale declares its data report (HID POS usage tables, Scale page 0x8D):
 * Weighing Device collection, report id 3 with Scale Status (selectors
 * 0x71..0x78), Weight Unit (0x51..0x5C), Data Scaling (signed exponent)
 * and Data Weight (16 bits), 6 bytes with the id.
 */
static const uint8_t scale_report_desc[] = { 0x05, 0x8d, 0x09, 0x01, 0xa1,
	0x01,						/* Scale page, Weighing Device */
	0x09, 0x30, 0xa1, 0x02, 0x85, 0x03,		/* Scale Data Report, id 3 */
	0x09, 0x70, 0xa1, 0x02, 0x19, 0x71, 0x29, 0x78, /* Scale Status selectors */
	0x15, 0x01, 0x25, 0x08, 0x75, 0x08, 0x95, 0x01, 0x81, 0x00, 0xc0, 0x09, 0x50, 0xa1, 0x02,
	0x19, 0x51, 0x29, 0x5c, /* Weight Unit selectors */
	0x15, 0x01, 0x25, 0x0c, 0x81, 0x00, 0xc0, 0x09, 0x81, 0x15, 0x80, 0x25, 0x7f, 0x81,
	0x02,					  /* Data Scaling (exponent) */
	0x09, 0x40, 0x75, 0x10, 0x16, 0x00, 0x00, /* Data Weight, 16 bits */
	0x26, 0xff, 0xff, 0x81, 0x02, 0xc0, 0xc0 };

int
fake_usb_reexec(char **argv)
{
	const char *lp = getenv("LD_PRELOAD");

	if (lp != NULL && strstr(lp, "libumockdev-preload") != NULL)
		return 0;
	setenv("LD_PRELOAD", "libumockdev-preload.so.0", 1);
	execv("/proc/self/exe", argv);
	perror("fake_usb: execv");
	return -1;
}

struct fake_usb *
fake_usb_new(void)
{
	struct fake_usb *fu = calloc(1, sizeof(*fu));

	if (fu == NULL)
		return NULL;
	fu->tb = umockdev_testbed_new();
	if (fu->tb == NULL) {
		free(fu);
		return NULL;
	}
	fu->next_devnum = 2;
	return fu;
}

static void
urb_release(struct urb *u)
{
	if (u->urb != NULL)
		g_object_unref(u->urb);
	if (u->buf != NULL)
		g_object_unref(u->buf);
	memset(u, 0, sizeof(*u));
}

static void
dev_free(struct fake_dev *d)
{
	int i;

	for (i = 0; i < d->npending; i++)
		urb_release(&d->pending[i]);
	for (i = 0; i < d->ndone; i++)
		urb_release(&d->done[i]);
	if (d->handler != NULL)
		g_object_unref(d->handler);
	g_mutex_clear(&d->lock);
	g_free(d->syspath);
	free(d);
}

void
fake_usb_free(struct fake_usb *fu)
{
	int i;

	if (fu == NULL)
		return;
	for (i = 0; i < fu->ndevs; i++)
		if (!fu->devs[i]->gone)
			fake_usb_unplug(fu, fu->devs[i]);
	g_object_unref(fu->tb);
	for (i = 0; i < fu->ndevs; i++)
		dev_free(fu->devs[i]);
	free(fu);
}

/* ---- descriptors ---- */

static size_t
build_descriptors(const struct fake_dev *d, uint8_t *o)
{
	int pos = d->kind == FAKE_POS || d->kind == FAKE_SCALE;
	uint8_t rdlen = (uint8_t)(d->kind == FAKE_SCALE ? sizeof(scale_report_desc)
		: pos					? sizeof(pos_report_desc)
							: 63);
	uint8_t eplen = (uint8_t)(d->kind == FAKE_SCALE ? 6 : pos ? 64 : 8);
	size_t n = 0;
	uint8_t dev[18] = { 18, 1, 0x00, 0x02, 0, 0, 0, 8, (uint8_t)d->vid, (uint8_t)(d->vid >> 8),
		(uint8_t)d->pid, (uint8_t)(d->pid >> 8), 0x00, 0x01, 1, 2,
		(uint8_t)(d->serial[0] ? 3 : 0), 1 };
	uint8_t cfg[9] = { 9, 2, 34, 0, 1, 1, 0, 0x80, 50 };
	uint8_t ifc[9] = { 9, 4, 0, 0, 1, 3, (uint8_t)(pos ? 0 : 1), (uint8_t)(pos ? 0 : 1), 0 };
	uint8_t hid[9] = { 9, 0x21, 0x11, 0x01, 0, 1, 0x22, rdlen, 0 };
	uint8_t ep[7] = { 7, 5, 0x81, 3, eplen, 0, 1 };

	memcpy(o + n, dev, sizeof(dev));
	n += sizeof(dev);
	memcpy(o + n, cfg, sizeof(cfg));
	n += sizeof(cfg);
	memcpy(o + n, ifc, sizeof(ifc));
	n += sizeof(ifc);
	memcpy(o + n, hid, sizeof(hid));
	n += sizeof(hid);
	memcpy(o + n, ep, sizeof(ep));
	n += sizeof(ep);
	return n;
}

static void
hex(char *out, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02X", b[i]);
}

/* String descriptor idx as USB UTF-16LE; returns its length. */
static int
string_desc(const struct fake_dev *d, int idx, uint8_t *o, int max)
{
	const char *s = idx == 1 ? "Fake Scanners Inc"
	    : idx == 2		 ? (d->kind == FAKE_POS		   ? "Fake HID POS"
					   : d->kind == FAKE_SCALE ? "Fake Scale"
								   : "Fake Kbd")
	    : idx == 3		 ? d->serial
				 : NULL;
	int n = 2, i;

	if (idx == 0) {
		static const uint8_t langs[4] = { 4, 3, 0x09, 0x04 };

		memcpy(o, langs, 4);
		return max < 4 ? max : 4;
	}
	if (s == NULL)
		return -1;
	for (i = 0; s[i] && n + 2 <= 255; i++) {
		o[n++] = (uint8_t)s[i];
		o[n++] = 0;
	}
	o[0] = (uint8_t)n;
	o[1] = 3;
	return n < max ? n : max;
}

/* ---- ioctl answers (umockdev worker thread) ---- */

/* The ioctl argument as len bytes; a new reference (g_object_unref it). */
static UMockdevIoctlData *
arg_of(UMockdevIoctlClient *c, size_t len)
{
	return umockdev_ioctl_data_resolve(umockdev_ioctl_client_get_arg(c), 0, len, NULL);
}

/* Answers a control URB at once: fills its data, returns its status. */
static int
control(struct fake_dev *d, struct usbdevfs_urb *u, UMockdevIoctlData *buf, int *actual)
{
	uint8_t out[1024];
	const uint8_t *s;
	uint16_t wvalue, wlen;
	int n = -1, max;

	*actual = 0;
	if (buf == NULL || u->buffer_length < 8)
		return -EPIPE;
	s = buf->data;
	wvalue = (uint16_t)(s[2] | s[3] << 8);
	wlen = (uint16_t)(s[6] | s[7] << 8);
	max = wlen < (int)sizeof(out) ? wlen : (int)sizeof(out);
	if (max > u->buffer_length - 8)
		max = u->buffer_length - 8;
	if (!(s[0] & 0x80)) {
		/* OUT: SET_PROTOCOL, SET_IDLE and the like */
		return (s[0] & 0x60) == 0x20 ? 0 : -EPIPE;
	}
	if (s[1] == 6 && (wvalue >> 8) == 3)
		n = string_desc(d, wvalue & 0xff, out, max);
	else if (s[1] == 6 && (wvalue >> 8) == 0x22 && d->kind == FAKE_POS) {
		n = (int)sizeof(pos_report_desc) < max ? (int)sizeof(pos_report_desc) : max;
		memcpy(out, pos_report_desc, (size_t)n);
	} else if (s[1] == 6 && (wvalue >> 8) == 0x22 && d->kind == FAKE_SCALE) {
		n = (int)sizeof(scale_report_desc) < max ? (int)sizeof(scale_report_desc) : max;
		memcpy(out, scale_report_desc, (size_t)n);
	}
	if (n < 0)
		return -EPIPE;
	umockdev_ioctl_data_update(buf, 8, out, n);
	*actual = n;
	return 0;
}

static void
set_result(UMockdevIoctlData *urb, int status, int actual)
{
	umockdev_ioctl_data_update(
	    urb, offsetof(struct usbdevfs_urb, status), (guint8 *)&status, sizeof(status));
	umockdev_ioctl_data_update(
	    urb, offsetof(struct usbdevfs_urb, actual_length), (guint8 *)&actual, sizeof(actual));
}

/* Pairs queued reports with waiting URBs. Lock held. */
static void
pump(struct fake_dev *d)
{
	while (d->npending > 0 && (d->rhead != d->rtail || d->stall_next || d->gone) &&
	    d->ndone < MAX_URBS) {
		struct urb u = d->pending[0];
		int len = 0, status = 0;

		memmove(&d->pending[0], &d->pending[1],
		    (size_t)(d->npending - 1) * sizeof(d->pending[0]));
		d->npending--;
		if (d->gone)
			status = -ESHUTDOWN;
		else if (d->stall_next) {
			d->stall_next = 0;
			status = -EPIPE;
		} else {
			struct usbdevfs_urb *x = (void *)u.urb->data;

			len = d->replen[d->rhead];
			if (len > x->buffer_length) {
				len = x->buffer_length;
				status = -EOVERFLOW;
			}
			if (u.buf != NULL && len > 0)
				umockdev_ioctl_data_update(u.buf, 0, d->rep[d->rhead], len);
			d->rhead = (d->rhead + 1) % MAX_REPORTS;
		}
		set_result(u.urb, status, len);
		d->done[d->ndone++] = u;
	}
}

static int
do_submit(struct fake_dev *d, UMockdevIoctlClient *c)
{
	UMockdevIoctlData *ud = arg_of(c, sizeof(struct usbdevfs_urb));
	UMockdevIoctlData *bd = NULL;
	struct usbdevfs_urb *u;
	struct urb q;
	int actual, status;

	if (ud == NULL)
		return -EFAULT;
	u = (void *)ud->data;
	if (u->buffer_length > 0)
		bd = umockdev_ioctl_data_resolve(
		    ud, offsetof(struct usbdevfs_urb, buffer), (gsize)u->buffer_length, NULL);
	memset(&q, 0, sizeof(q));
	q.urb = ud; /* the references resolve gave us */
	q.buf = bd;
	q.addr = ud->client_addr;
	if (d->gone) {
		urb_release(&q);
		return -ENODEV;
	}
	if (u->type == USBDEVFS_URB_TYPE_CONTROL) {
		status = control(d, u, bd, &actual);
		set_result(ud, status, actual);
		if (d->ndone == MAX_URBS) {
			urb_release(&q);
			return -ENOMEM;
		}
		d->done[d->ndone++] = q;
		return 0;
	}
	if (d->npending == MAX_URBS) {
		urb_release(&q);
		return -ENOMEM;
	}
	q.in_flight = 1;
	d->pending[d->npending++] = q;
	pump(d);
	return 0;
}

static int
do_discard(struct fake_dev *d, UMockdevIoctlClient *c)
{
	gulong addr = *(gulong *)umockdev_ioctl_client_get_arg(c)->data;
	int i;

	for (i = 0; i < d->npending; i++)
		if (d->pending[i].addr == addr) {
			struct urb u = d->pending[i];

			memmove(&d->pending[i], &d->pending[i + 1],
			    (size_t)(d->npending - i - 1) * sizeof(u));
			d->npending--;
			set_result(u.urb, -ENOENT, 0);
			d->done[d->ndone++] = u;
			return 0;
		}
	return -EINVAL;
}

/* Returns 1 when a URB was handed back, 0 for "none now". */
static int
do_reap(struct fake_dev *d, UMockdevIoctlClient *c)
{
	UMockdevIoctlData *pp;
	struct urb u;

	if (d->ndone == 0)
		return 0;
	u = d->done[0];
	memmove(&d->done[0], &d->done[1], (size_t)(d->ndone - 1) * sizeof(u));
	d->ndone--;
	pp = arg_of(c, sizeof(void *));
	if (pp != NULL) {
		umockdev_ioctl_data_set_ptr(pp, 0, u.urb);
		g_object_unref(pp);
	}
	urb_release(&u);
	return 1;
}

static int
do_usbfs_ioctl(struct fake_dev *d, UMockdevIoctlClient *c)
{
	UMockdevIoctlData *a = arg_of(c, sizeof(struct usbdevfs_ioctl));
	struct usbdevfs_ioctl *io;
	int code;

	if (a == NULL)
		return -EFAULT;
	io = (void *)a->data;
	code = io->ioctl_code;
	g_object_unref(a);
	if (code == (int)USBDEVFS_DISCONNECT) {
		if (!d->st.kernel_driver)
			return -ENODATA;
		d->st.kernel_driver = 0;
		d->st.detaches++;
		return 0;
	}
	if (code == (int)USBDEVFS_CONNECT) {
		if (d->st.claimed)
			return -EBUSY;
		if (!d->st.kernel_driver)
			d->st.reattaches++;
		d->st.kernel_driver = 1;
		return 0;
	}
	return -ENOTTY;
}

static int
do_ioctl(struct fake_dev *d, UMockdevIoctlClient *c, gulong req)
{
	UMockdevIoctlData *a;

	if (d->gone && req != USBDEVFS_REAPURBNDELAY && req != USBDEVFS_REAPURB)
		return -ENODEV;
	switch (req) {
	case USBDEVFS_GET_CAPABILITIES:
		if ((a = arg_of(c, sizeof(guint32))) != NULL) {
			guint32 caps = USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_BULK_CONTINUATION |
			    USBDEVFS_CAP_NO_PACKET_SIZE_LIM;

			umockdev_ioctl_data_update(a, 0, (guint8 *)&caps, sizeof(caps));
			g_object_unref(a);
		}
		return 0;
	case USBDEVFS_GETDRIVER:
		if (!d->st.kernel_driver)
			return -ENODATA;
		if ((a = arg_of(c, sizeof(struct usbdevfs_getdriver))) != NULL) {
			umockdev_ioctl_data_update(
			    a, offsetof(struct usbdevfs_getdriver, driver), (guint8 *)"usbhid", 7);
			g_object_unref(a);
		}
		return 0;
	case USBDEVFS_DISCONNECT_CLAIM:
		if (d->st.claimed)
			return -EBUSY;
		if (d->st.kernel_driver)
			d->st.detaches++;
		d->st.kernel_driver = 0;
		d->st.claimed = 1;
		d->st.claims++;
		return 0;
	case USBDEVFS_CLAIMINTERFACE:
		if (d->st.claimed || d->st.kernel_driver)
			return -EBUSY;
		d->st.claimed = 1;
		d->st.claims++;
		return 0;
	case USBDEVFS_RELEASEINTERFACE: d->st.claimed = 0; return 0;
	case USBDEVFS_IOCTL: return do_usbfs_ioctl(d, c);
	case USBDEVFS_SUBMITURB: return do_submit(d, c);
	case USBDEVFS_DISCARDURB: return do_discard(d, c);
	case USBDEVFS_SETCONFIGURATION:
	case USBDEVFS_CLEAR_HALT:
	case USBDEVFS_RESET: return 0;
	case USBDEVFS_CONNECTINFO:
		if ((a = arg_of(c, sizeof(struct usbdevfs_connectinfo))) != NULL) {
			struct usbdevfs_connectinfo ci = { (unsigned)d->devnum, 0 };

			umockdev_ioctl_data_update(a, 0, (guint8 *)&ci, sizeof(ci));
			g_object_unref(a);
		}
		return 0;
	default: return -ENOTTY;
	}
}

static gboolean
on_ioctl(UMockdevIoctlBase *h, UMockdevIoctlClient *c, gpointer arg)
{
	struct fake_dev *d = arg;
	gulong req = umockdev_ioctl_client_get_request(c);
	int r;

	(void)h;
	if (req == USBDEVFS_REAPURBNDELAY || req == USBDEVFS_REAPURB) {
		g_mutex_lock(&d->lock);
		r = do_reap(d, c);
		g_mutex_unlock(&d->lock);
		if (r == 1)
			umockdev_ioctl_client_complete(c, 0, 0);
		else {
			/* the node is a plain file, always "ready": pace libusb */
			g_usleep(1000);
			umockdev_ioctl_client_complete(c, -1, d->gone ? ENODEV : EAGAIN);
		}
		return TRUE;
	}
	g_mutex_lock(&d->lock);
	r = do_ioctl(d, c, req);
	g_mutex_unlock(&d->lock);
	umockdev_ioctl_client_complete(c, r < 0 ? -1 : r, r < 0 ? -r : 0);
	return TRUE;
}

static void
on_connect(UMockdevIoctlBase *h, UMockdevIoctlClient *c, gpointer arg)
{
	struct fake_dev *d = arg;

	(void)h;
	(void)c;
	g_mutex_lock(&d->lock);
	d->st.opens++;
	g_mutex_unlock(&d->lock);
}

/* ---- test-side API ---- */

struct fake_dev *
fake_usb_plug(struct fake_usb *fu, enum fake_kind kind, uint16_t vid, uint16_t pid,
    const char *serial, int port)
{
	struct fake_dev *d;
	uint8_t desc[64];
	char hx[160], *text;
	size_t n;
	GError *e = NULL;

	if (fu->ndevs == MAX_DEVS || (d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	g_mutex_init(&d->lock);
	d->fu = fu;
	d->kind = kind;
	d->vid = vid;
	d->pid = pid;
	snprintf(d->serial, sizeof(d->serial), "%s", serial ? serial : "");
	d->devnum = fu->next_devnum++;
	d->port = port;
	d->st.kernel_driver = 1;
	snprintf(d->devnode, sizeof(d->devnode), "/dev/bus/usb/001/%03d", d->devnum);
	n = build_descriptors(d, desc);
	hex(hx, desc, n);
	d->handler = umockdev_ioctl_base_new();
	g_signal_connect(d->handler, "handle-ioctl", G_CALLBACK(on_ioctl), d);
	g_signal_connect(d->handler, "client-connected", G_CALLBACK(on_connect), d);
	if (!umockdev_testbed_attach_ioctl(fu->tb, d->devnode, d->handler, &e)) {
		fprintf(stderr, "fake_usb: attach_ioctl: %s\n", e->message);
		g_error_free(e);
		dev_free(d);
		return NULL;
	}
	text = g_strdup_printf("P: /devices/pci0000:00/0000:00:14.0/usb1/1-%d\n"
			       "N: bus/usb/001/%03d=%s\n"
			       "E: DEVNAME=/dev/bus/usb/001/%03d\n"
			       "E: DEVTYPE=usb_device\nE: DRIVER=usb\nE: SUBSYSTEM=usb\n"
			       "E: BUSNUM=001\nE: DEVNUM=%03d\n"
			       "A: busnum=1\\n\nA: devnum=%d\\n\nA: idVendor=%04x\\n\n"
			       "A: idProduct=%04x\\n\nA: speed=12\\n\nA: bConfigurationValue=1\\n\n"
			       "A: serial=%s\\n\nH: descriptors=%s\n",
	    port, d->devnum, hx, d->devnum, d->devnum, d->devnum, vid, pid, d->serial, hx);
	if (text == NULL || !umockdev_testbed_add_from_string(fu->tb, text, &e)) {
		fprintf(stderr, "fake_usb: add: %s\n", e ? e->message : "oom");
		if (e != NULL)
			g_error_free(e);
		g_free(text);
		umockdev_testbed_detach_ioctl(fu->tb, d->devnode, NULL);
		dev_free(d);
		return NULL;
	}
	g_free(text);
	d->syspath = g_strdup_printf("/sys/devices/pci0000:00/0000:00:14.0/usb1/1-%d", port);
	fu->devs[fu->ndevs++] = d;
	return d;
}

void
fake_usb_unplug(struct fake_usb *fu, struct fake_dev *d)
{
	if (d->gone)
		return;
	g_mutex_lock(&d->lock);
	d->gone = 1;
	d->st.claimed = 0;
	pump(d); /* in-flight URBs complete with -ESHUTDOWN */
	g_mutex_unlock(&d->lock);
	umockdev_testbed_uevent(fu->tb, d->syspath, "remove");
	umockdev_testbed_remove_device(fu->tb, d->syspath);
}

void
fake_dev_send(struct fake_dev *d, const uint8_t *r, size_t len)
{
	if (len > REPORT_MAX)
		len = REPORT_MAX;
	g_mutex_lock(&d->lock);
	if ((d->rtail + 1) % MAX_REPORTS != d->rhead) {
		memcpy(d->rep[d->rtail], r, len);
		d->replen[d->rtail] = (uint8_t)len;
		d->rtail = (d->rtail + 1) % MAX_REPORTS;
	}
	pump(d);
	g_mutex_unlock(&d->lock);
}

static void
key(struct fake_dev *d, uint8_t mods, uint8_t usage)
{
	uint8_t down[8] = { mods, 0, usage, 0, 0, 0, 0, 0 };
	uint8_t up[8] = { 0 };

	fake_dev_send(d, down, 8);
	fake_dev_send(d, up, 8);
}

void
fake_dev_type_us(struct fake_dev *d, const char *s)
{
	static const char *plain = "1234567890\n\x1b\b\t -=[]\\#;'`,./";
	static const char *shift = "!@#$%^&*()\n\x1b\b\t _+{}|~:\"~<>?";
	const char *p;

	for (; *s; s++) {
		char c = *s;

		if (c >= 'a' && c <= 'z')
			key(d, 0, (uint8_t)(0x04 + c - 'a'));
		else if (c >= 'A' && c <= 'Z')
			key(d, 0x02, (uint8_t)(0x04 + c - 'A'));
		else if (c == 0x1d)
			key(d, 0x01, 0x30);
		else if ((p = strchr(plain, c)) != NULL && c != '#')
			key(d, 0, (uint8_t)(0x1e + (p - plain)));
		else if ((p = strchr(shift, c)) != NULL)
			key(d, 0x02, (uint8_t)(0x1e + (p - shift)));
	}
}

void
fake_dev_pos_scan(struct fake_dev *d, const char *aim, const char *data, size_t len)
{
	uint8_t r[64];
	size_t off = 0, n;

	do {
		n = len - off > 59 ? 59 : len - off;
		memset(r, 0, sizeof(r));
		r[0] = (uint8_t)n;
		if (aim != NULL)
			memcpy(r + 1, aim, 3);
		memcpy(r + 4, data + off, n);
		off += n;
		r[63] = off < len;
		fake_dev_send(d, r, sizeof(r));
	} while (off < len);
}

void
fake_dev_stall(struct fake_dev *d)
{
	g_mutex_lock(&d->lock);
	d->stall_next = 1;
	pump(d);
	g_mutex_unlock(&d->lock);
}

void
fake_dev_stats(struct fake_dev *d, struct fake_stats *st)
{
	g_mutex_lock(&d->lock);
	*st = d->st;
	st->urbs_pending = d->npending;
	st->queued = (d->rtail - d->rhead + MAX_REPORTS) % MAX_REPORTS;
	g_mutex_unlock(&d->lock);
}
