#pragma once

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace consular {

// PEM files for a TLS server.
struct ServerTlsFiles {
  std::string cert_chain;  // the server certificate, then intermediates
  std::string
      private_key;  // unencrypted, matching the first certificate of cert_chain
  std::string client_ca;  // optional; if set, require and verify client
                          // certificates against it
};

// PEM files for a TLS client.
struct ClientTlsFiles {
  std::string ca;           // CA certificates to trust; system roots when empty
  std::string cert_chain;   // optional client certificate (mutual TLS); needs
                            // private_key
  std::string private_key;  // optional, with cert_chain
};

// TLS server credentials from PEM files, checked up front so that a bad file
// fails at start-up with a clear message. NOT_FOUND naming the file if one does
// not exist; INVALID_ARGUMENT naming the file (or field) if cert_chain or
// private_key is empty, a file is unreadable or holds no certificate / private
// key, or the key does not match the certificate.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsFiles& files);

// Client credentials trusting the CA certificates in `ca_file` (system roots
// when empty). NOT_FOUND / INVALID_ARGUMENT naming the file as for
// MakeServerCredentials.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const std::string& ca_file);

// Client credentials for a command-line tool's connections: plaintext when
// `insecure` (tests against in-process servers only), otherwise as
// MakeChannelCredentials(ca_file).
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeToolChannelCredentials(
    bool insecure, const std::string& ca_file);

// Client credentials for mutual TLS (or plain TLS when no certificate is
// given). INVALID_ARGUMENT if only one of cert_chain and private_key is set;
// otherwise as above.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeMutualTlsChannelCredentials(const ClientTlsFiles& files);

}  // namespace consular
