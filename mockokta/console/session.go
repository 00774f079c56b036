package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// Cookie names.
const (
	sessionCookie = "mockokta_sid"
	loginCookie   = "mockokta_login_csrf"
)

// sessionTTL is how long a console session lives without a request.
const sessionTTL = 8 * time.Hour

// maxSessions bounds the session table; the oldest is dropped beyond it.
const maxSessions = 1000

type session struct {
	id      string
	csrf    string
	login   string
	flash   []flash
	touched time.Time
}

type flash struct {
	Error bool
	Text  string
}

// sessions is the console's session table (per Console, never global).
type sessions struct {
	mu   sync.Mutex
	byID map[string]*session
	now  func() time.Time
}

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("console: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *sessions) create(login string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.byID) >= maxSessions {
		var oldest *session
		for _, c := range s.byID {
			if oldest == nil || c.touched.Before(oldest.touched) {
				oldest = c
			}
		}
		delete(s.byID, oldest.id)
	}
	ss := &session{id: newToken(), csrf: newToken(), login: login, touched: s.now()}
	s.byID[ss.id] = ss
	return ss
}

// get returns the session of the request's cookie, nil when none is valid.
func (s *sessions) get(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.byID[c.Value]
	if !ok {
		return nil
	}
	if s.now().Sub(ss.touched) > sessionTTL {
		delete(s.byID, ss.id)
		return nil
	}
	ss.touched = s.now()
	return ss
}

func (s *sessions) drop(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, id)
}

func (s *sessions) addFlash(ss *session, f flash) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(ss.flash) < 10 {
		ss.flash = append(ss.flash, f)
	}
}

func (s *sessions) takeFlash(ss *session) []flash {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := ss.flash
	ss.flash = nil
	return f
}

// sameToken compares two tokens in constant time; empty never matches.
func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// setCookie writes a console cookie: HttpOnly, SameSite=Lax, Secure over
// TLS (or always, with Options.SecureCookies).
func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || c.opts.SecureCookies,
	})
}
