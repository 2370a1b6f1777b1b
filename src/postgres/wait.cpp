// SPDX-License-Identifier: MIT
// Waiting for the server without ever blocking in libpq: one poll() on the
// libpq socket plus the runner's stop fd, bounded by a deadline; and the
// cancel request, which libpq only offers blocking, on a thread of its own.
// Why it is done this way is told at the top of postgres/executor.cpp.
#include <array>
#include <future>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <system_error>
#include <thread>
#include <utility>

#include "postgres/internal.hpp"
#include "util/deadline.hpp"

namespace pt::pg {
namespace {

// Sends what libpq has queued and waits until a result can be read without blocking.
Wake await_result(PGconn* conn, Waiter& waiter)
{
  for (;;) {
    const int pending = pq().PQflush(conn);
    if (pending < 0) {
      return Wake::broken;
    }
    if (pending == 0 && pq().PQisBusy(conn) == 0) {
      return Wake::ready;
    }
    const auto events = static_cast<short>(pending == 1 ? POLLIN | POLLOUT : POLLIN);
    if (const auto wake = waiter.wait(pq().PQsocket(conn), events); wake != Wake::ready) {
      return wake;
    }
    if (pq().PQconsumeInput(conn) == 0) {
      return Wake::broken;
    }
  }
}

bool is_copy(const PGresult* result)
{
  const auto status = pq().PQresultStatus(result);
  return status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH;
}

// A cancel request in flight on a thread of its own (see the top of postgres/executor.cpp).
class CancelRequest
{
public:
  // Starts asking the server to cancel what `conn` runs; false when it cannot be sent.
  bool start(PGconn* conn);
  // Waits until the request was delivered (or failed) or `until`; true if it finished.
  bool wait_until(TimePoint until) const
  {
    return m_done.valid() && m_done.wait_until(until) == std::future_status::ready;
  }

private:
  std::future<void> m_done;
};

} // namespace

Wake Waiter::wait(int socket, short events)
{
  if (socket < 0) {
    return Wake::broken;
  }
  for (;;) {
    if (m_watch_stop && m_stop.stop_signal() != 0) {
      return Wake::stop;
    }
    const auto now = Clock::now();
    if (m_deadline && now >= *m_deadline) {
      return Wake::deadline;
    }
    std::array<pollfd, 3> fds{
        {{socket, events, 0}, {m_watch_stop ? m_stop_fd : -1, POLLIN, 0}, {m_fence_fd, POLLIN, 0}}};
    if (::poll(fds.data(), fds.size(), poll_timeout_ms(now, m_deadline)) < 0) {
      continue; // EINTR: the runner's stop handler (looked at above) or another signal
    }
    if (fds[2].revents != 0) {
      m_fence_fd = -1;
      m_deadline = now; // what follows (cancel, ROLLBACK) sets its own grace
      return Wake::deadline;
    }
    if (fds[0].revents != 0) {
      return Wake::ready;
    }
    if (fds[1].revents != 0 && m_stop.stop_signal() == 0) {
      m_stop_fd = -1; // readable without a stop request: stop polling it rather than spin
    }
  }
}

Wake collect(PGconn* conn, Waiter& waiter, const ResultSink& take, const NextCommand& next)
{
  const bool pipeline = pq().PQpipelineStatus(conn) != PQ_PIPELINE_OFF;
  for (;;) {
    const auto wake = await_result(conn, waiter);
    if (wake == Wake::deadline || wake == Wake::stop) {
      return wake;
    }
    if (wake == Wake::broken && pq().PQstatus(conn) != CONNECTION_BAD) {
      return wake; // PQgetResult could block on what is left of the socket
    }
    ResultPtr result(pq().PQgetResult(conn));
    if (!result) {
      if (pq().PQstatus(conn) == CONNECTION_BAD) {
        return Wake::broken;
      }
      if (pipeline) {
        if (next) {
          next();
        }
        continue; // the end of one command's results; the next command's follow
      }
      return Wake::ready;
    }
    if (pq().PQresultStatus(result.get()) == PGRES_PIPELINE_SYNC) {
      return pq().PQexitPipelineMode(conn) == 1 ? Wake::ready : Wake::broken;
    }
    if (is_copy(result.get())) {
      return Wake::copy;
    }
    take(std::move(result));
  }
}

Wake collect(PGconn* conn, Waiter& waiter, Results& results)
{
  return collect(conn, waiter, [&results](ResultPtr result) {
    if (pq().PQresultStatus(result.get()) != PGRES_SINGLE_TUPLE) {
      results.push_back(std::move(result)); // rows read one at a time are for a sink to count
    }
  });
}

bool CancelRequest::start(PGconn* conn)
{
  PGcancel* cancel = pq().PQgetCancel(conn);
  if (cancel == nullptr) {
    return false;
  }
  std::promise<void> promise;
  m_done = promise.get_future();
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_BLOCK, &all, &old); // the thread inherits the mask: signals stay ours
  try {
    std::thread([cancel, done = std::move(promise)]() mutable {
      std::array<char, 256> error{};
      pq().PQcancel(cancel, error.data(), static_cast<int>(error.size()));
      pq().PQfreeCancel(cancel);
      done.set_value();
    }).detach();
  } catch (const std::system_error&) {
    pq().PQfreeCancel(cancel);
    m_done = {};
  }
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return m_done.valid();
}

// Ends an open transaction with ROLLBACK within the grace; false when the
// connection is not fit for another task.
bool roll_back(PGconn* conn, Waiter& waiter)
{
  waiter.ignore_stop();
  waiter.set_deadline(Clock::now() + k_cancel_grace);
  const auto status = pq().PQtransactionStatus(conn);
  if (status == PQTRANS_IDLE) {
    return pq().PQstatus(conn) == CONNECTION_OK;
  }
  if (status != PQTRANS_INTRANS && status != PQTRANS_INERROR) {
    return false; // a command is still running, or the connection is gone
  }
  if (pq().PQsendQuery(conn, "ROLLBACK") != 1) {
    return false;
  }
  Results results;
  return collect(conn, waiter, results) == Wake::ready && first_error(results) == nullptr &&
         pq().PQtransactionStatus(conn) == PQTRANS_IDLE;
}

Cancelled cancel_and_collect(PGconn* conn, Waiter& waiter, Results& late)
{
  waiter.ignore_stop();
  const auto grace_end = Clock::now() + k_cancel_grace;
  waiter.set_deadline(grace_end);
  CancelRequest cancel;
  const bool cancelling = cancel.start(conn);
  const auto wake = collect(
      conn, waiter,
      [&late](ResultPtr result) {
        if (pq().PQresultStatus(result.get()) != PGRES_SINGLE_TUPLE) {
          late.push_back(std::move(result));
        }
      },
      [conn] { pq().PQsetSingleRowMode(conn); });
  return {wake, wake == Wake::ready && (!cancelling || cancel.wait_until(grace_end))};
}

} // namespace pt::pg
