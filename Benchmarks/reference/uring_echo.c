// Minimal single-threaded io_uring echo server: the yardstick for Loop's io_uring backend.
// It does the same work per message as Loop:
//   - one multishot ACCEPT installing sockets as direct descriptors (sparse fixed-file table, no fds);
//   - one multishot RECV per connection with buffers picked from a provided-buffer ring;
//   - received bytes are copied into the connection's output and the buffer is recycled at once;
//   - after each batch of completions, one SEND per connection that has output and none in flight;
//   - SINGLE_ISSUER | DEFER_TASKRUN, submit and wait in one io_uring_enter.
// Sizes match Loop's defaults (1024 SQEs, 4x CQEs, 512 x 16 KiB receive buffers, 16384 slots).
//
// Build: gcc -O2 -o uring_echo uring_echo.c -luring      Run: ./uring_echo PORT
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

enum { RING_ENTRIES = 1024, BUF_COUNT = 512, BUF_SIZE = 16384, MAX_CONNS = 16384, BGID = 0 };
enum op { OP_ACCEPT, OP_RECV, OP_SEND, OP_CANCEL, OP_CLOSE };

struct out { char *data; size_t len, cap; };

struct conn {
    struct out pending;  // received, not yet handed to a send
    struct out inflight; // owned by the one outstanding send: never grown or moved while in flight
    size_t sent;         // bytes of inflight already sent (a send may be partial)
    bool receiving, sending, queued, closing;
};

static struct io_uring ring;
static struct io_uring_buf_ring *buf_ring;
static char *bufs;
static int recycled;
static struct conn conns[MAX_CONNS];
static int flush_queue[MAX_CONNS], flush_count;
static int listen_fd;

static void die(const char *what, int err) {
    fprintf(stderr, "%s: %s\n", what, strerror(err));
    exit(1);
}

static struct io_uring_sqe *sqe_for(enum op op, int slot) {
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    if (!sqe) { // SQ full: hand what we have to the kernel and take a fresh entry
        io_uring_submit(&ring);
        sqe = io_uring_get_sqe(&ring);
    }
    io_uring_sqe_set_data64(sqe, (__u64)op << 32 | (unsigned)slot);
    return sqe;
}

// liburing 2.3 (Debian 12) has no io_uring_setup_buf_ring(); this is what it does.
static void setup_buf_ring(void) {
    size_t size = BUF_COUNT * sizeof(struct io_uring_buf);
    buf_ring = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (buf_ring == MAP_FAILED) die("mmap", errno);
    struct io_uring_buf_reg reg = { .ring_addr = (unsigned long)buf_ring, .ring_entries = BUF_COUNT, .bgid = BGID };
    int ret = io_uring_register_buf_ring(&ring, &reg, 0);
    if (ret) die("io_uring_register_buf_ring", -ret);
    io_uring_buf_ring_init(buf_ring);
    if (!(bufs = malloc((size_t)BUF_COUNT * BUF_SIZE))) die("malloc", ENOMEM);
    for (int i = 0; i < BUF_COUNT; i++)
        io_uring_buf_ring_add(buf_ring, bufs + (size_t)i * BUF_SIZE, BUF_SIZE, i, BUF_COUNT - 1, i);
    io_uring_buf_ring_advance(buf_ring, BUF_COUNT);
}

static void arm_accept(void) {
    io_uring_prep_multishot_accept_direct(sqe_for(OP_ACCEPT, 0), listen_fd, NULL, NULL, 0);
}

static void arm_recv(int slot) {
    struct io_uring_sqe *sqe = sqe_for(OP_RECV, slot);
    io_uring_prep_recv_multishot(sqe, slot, NULL, 0, 0);
    sqe->flags |= IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT;
    sqe->buf_group = BGID;
    conns[slot].receiving = true;
}

static void send_inflight(int slot) {
    struct conn *c = &conns[slot];
    struct io_uring_sqe *sqe = sqe_for(OP_SEND, slot);
    io_uring_prep_send(sqe, slot, c->inflight.data + c->sent, c->inflight.len - c->sent, MSG_NOSIGNAL);
    sqe->flags |= IOSQE_FIXED_FILE;
    c->sending = true;
}

// Frees the slot only when no recv or send uses it, so no late completion meets the slot's next owner.
// A closing connection drops its unsent output: its peer has hung up.
static void close_if_idle(int slot) {
    struct conn *c = &conns[slot];
    if (c->closing && !c->receiving && !c->sending) io_uring_prep_close_direct(sqe_for(OP_CLOSE, slot), slot);
}

static void on_accept(struct io_uring_cqe *cqe) {
    if (!(cqe->flags & IORING_CQE_F_MORE)) arm_accept();
    if (cqe->res < 0) return;
    struct conn *c = &conns[cqe->res];
    c->pending.len = c->inflight.len = c->sent = 0;
    c->receiving = c->sending = c->queued = c->closing = false;
    arm_recv(cqe->res);
}

// Sends go out after the whole batch of completions, one per connection, like Loop's.
static void queue_flush(int slot) {
    if (conns[slot].queued) return;
    conns[slot].queued = true;
    flush_queue[flush_count++] = slot;
}

// Copies the bytes into the connection's output and gives the buffer straight back, as Loop does.
static void echo(int slot, struct io_uring_cqe *cqe) {
    struct conn *c = &conns[slot];
    int bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
    struct out *p = &c->pending;
    if (p->len + cqe->res > p->cap) {
        p->cap = p->cap * 2 > p->len + cqe->res ? p->cap * 2 : p->len + cqe->res;
        if (!(p->data = realloc(p->data, p->cap))) die("realloc", ENOMEM);
    }
    memcpy(p->data + p->len, bufs + (size_t)bid * BUF_SIZE, cqe->res);
    p->len += cqe->res;
    io_uring_buf_ring_add(buf_ring, bufs + (size_t)bid * BUF_SIZE, BUF_SIZE, bid, BUF_COUNT - 1, recycled++);
    queue_flush(slot);
}

static void on_recv(int slot, struct io_uring_cqe *cqe) {
    struct conn *c = &conns[slot];
    if (!(cqe->flags & IORING_CQE_F_MORE)) c->receiving = false;
    // ENOBUFS: the buffer ring ran dry; buffers come back at the end of this batch, so re-arm.
    if (cqe->res <= 0 && cqe->res != -ENOBUFS) c->closing = true;
    if (cqe->res > 0) echo(slot, cqe);
    if (!c->receiving && !c->closing) arm_recv(slot);
    close_if_idle(slot);
}

static void start_send(int slot) {
    struct conn *c = &conns[slot];
    struct out done = c->inflight;
    c->inflight = c->pending;
    c->pending = done;
    c->pending.len = 0;
    c->sent = 0;
    send_inflight(slot);
}

static void on_send(int slot, int res) {
    struct conn *c = &conns[slot];
    c->sending = false;
    if (res <= 0 && !c->closing) {
        c->closing = true;
        if (c->receiving) // end the multishot recv; its last completion closes the slot
            io_uring_prep_cancel_fd(sqe_for(OP_CANCEL, slot), slot, IORING_ASYNC_CANCEL_FD_FIXED | IORING_ASYNC_CANCEL_ALL);
    }
    if (c->closing) {
        close_if_idle(slot);
        return;
    }
    c->sent += res;
    queue_flush(slot);
}

static void flush_sends(void) {
    for (int i = 0; i < flush_count; i++) {
        int slot = flush_queue[i];
        struct conn *c = &conns[slot];
        c->queued = false;
        if (c->sending || c->closing) continue;
        if (c->sent < c->inflight.len) send_inflight(slot); // the rest of a partial send
        else if (c->pending.len > 0) start_send(slot);
    }
    flush_count = 0;
}

static void listen_on(int port) {
    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(listen_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); // inherited by accepted sockets, as in Loop
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(listen_fd, (struct sockaddr *)&addr, sizeof addr) || listen(listen_fd, 4096)) die("bind/listen", errno);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]);
    listen_on(port);

    struct io_uring_params params = {
        .flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL,
        .cq_entries = 4 * RING_ENTRIES,
    };
    int ret = io_uring_queue_init_params(RING_ENTRIES, &ring, &params);
    if (ret) die("io_uring_queue_init_params", -ret);
    if ((ret = io_uring_register_files_sparse(&ring, MAX_CONNS))) die("io_uring_register_files_sparse", -ret);
    setup_buf_ring();
    arm_accept();
    printf("listening on 127.0.0.1:%d\n", port);
    fflush(stdout);

    for (;;) {
        ret = io_uring_submit_and_wait(&ring, 1);
        if (ret < 0 && ret != -EINTR) die("io_uring_submit_and_wait", -ret);
        struct io_uring_cqe *cqe;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            __u64 data = io_uring_cqe_get_data64(cqe);
            int slot = (int)(data & 0xffffffff);
            switch ((enum op)(data >> 32)) {
            case OP_ACCEPT: on_accept(cqe); break;
            case OP_RECV: on_recv(slot, cqe); break;
            case OP_SEND: on_send(slot, cqe->res); break;
            case OP_CANCEL:
            case OP_CLOSE: break;
            }
            seen++;
        }
        io_uring_cq_advance(&ring, seen);
        io_uring_buf_ring_advance(buf_ring, recycled);
        recycled = 0;
        flush_sends();
    }
}
