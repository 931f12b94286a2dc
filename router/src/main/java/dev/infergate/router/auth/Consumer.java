package dev.infergate.router.auth;

import java.util.Set;

/**
 * Who sent a request, from a verified token: the subject (also the canary stickiness key), the plan
 * that sizes its rate limit, and its roles.
 */
public record Consumer(String subject, String plan, Set<String> roles) {
  public Consumer {
    roles = Set.copyOf(roles);
  }

  public boolean hasRole(String role) {
    return role != null && roles.contains(role);
  }
}
